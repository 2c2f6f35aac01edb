namespace FormerSearch.Engine.IO;

/// <summary>The formats a weights file can be in, told apart by its first bytes (<see cref="StateDictFile.Detect"/>).</summary>
public enum CheckpointFormat
{
    /// <summary>Neither of the others.</summary>
    Unknown,

    /// <summary>safetensors: an 8-byte header length, then a JSON header.</summary>
    SafeTensors,

    /// <summary>PyTorch's zip format (<c>torch.save</c> since PyTorch 1.6).</summary>
    PyTorchZip,

    /// <summary>PyTorch's format before 1.6 (a sequence of pickles), which is not read.</summary>
    PyTorchLegacy,
}
