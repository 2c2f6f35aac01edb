namespace FormerSearch.Data;

/// <summary>An image file of a folder data set that could not be read, and why ("it is truncated").</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">Why it was skipped, a sentence fragment.</param>
public sealed record SkippedImage(string Path, string Reason);
