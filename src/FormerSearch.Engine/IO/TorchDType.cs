namespace FormerSearch.Engine.IO;

/// <summary>The element types of PyTorch storages a checkpoint may hold (each read as float32).</summary>
internal enum TorchDType { Float32, Float16, BFloat16, Float64, Int64, Int32, Int16, Int8, UInt8, Bool }
