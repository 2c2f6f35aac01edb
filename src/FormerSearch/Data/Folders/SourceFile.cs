namespace FormerSearch.Data.Folders;

/// <summary>One image file of an image folder, as found on disk: what the decoded cache records to notice any change.</summary>
/// <param name="RelativePath">Path below the folder's root, with <c>/</c> separators (<c>cat/img001.jpg</c>).</param>
/// <param name="Label">Index of its class in the folder's sorted class list.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="LastWriteTicks">Modification time, UTC ticks (100 ns).</param>
public readonly record struct SourceFile(string RelativePath, int Label, long Length, long LastWriteTicks);
