namespace FormerSearch.Engine.IO;

/// <summary>
/// What a safetensors file's header says, read without its tensor data: each tensor's shape in file
/// order (entries whose shape is not a list of integers are left out; <see cref="SafeTensors.Load"/>
/// reports those) and the <c>__metadata__</c> strings.
/// </summary>
public sealed record SafeTensorsHeader(IReadOnlyDictionary<string, int[]> Shapes, IReadOnlyDictionary<string, string> Metadata);
