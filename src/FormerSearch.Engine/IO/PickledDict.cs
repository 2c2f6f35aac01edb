using System.Collections;

namespace FormerSearch.Engine.IO;

/// <summary>
/// A <c>collections.OrderedDict</c> from a checkpoint. Razorvine fills dictionaries through <see cref="Hashtable"/>, so this
/// is one; the order of its keys comes from the pickle itself (see <see cref="TorchPickleScanner"/>). The instance state
/// PyTorch attaches to a state dict (<c>_metadata</c>, the modules' versions) arrives through <see cref="__setstate__"/>
/// and is kept but not used.
/// </summary>
internal sealed class PickledDict : Hashtable
{
    /// <summary>The instance state given by the pickle's BUILD, if any.</summary>
    public Hashtable? State { get; private set; }

    /// <summary>Called by the unpickler's BUILD opcode (by name, through reflection).</summary>
    // The name is the Python protocol's; Razorvine looks it up by this exact spelling.
#pragma warning disable IDE1006
    public void __setstate__(Hashtable state) => State = state;
#pragma warning restore IDE1006
}
