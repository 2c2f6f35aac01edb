namespace FormerSearch.Engine.IO;

/// <summary>One tensor as a safetensors header describes it: name, dtype, shape and byte range in the data section.</summary>
internal readonly record struct SafeTensorsEntry(string Name, string Dtype, int ElementSize, int[] Shape, long Begin, long End);
