using FormerSearch.Engine;

namespace FormerSearch.Data.Folders;

/// <summary>
/// The classes and image files of a folder by torchvision's <c>ImageFolder</c> rules: every sub-folder of the root is a
/// class (names sorted by code point, as Python's <c>sorted</c>), its label is its position in that list, and its files
/// are found recursively as <c>sorted(os.walk(class_dir, followlinks=True))</c> lists them (directories in the order of
/// their path strings, each one's file names sorted), keeping those whose lower-cased name ends in one of
/// <see cref="Extensions"/>. Files directly in the root are not images of any class.
/// </summary>
public sealed class ImageFolderListing
{
    /// <summary>
    /// torchvision's <c>IMG_EXTENSIONS</c> plus <c>.gif</c> (first frame). SkiaSharp cannot decode <c>.ppm</c>, <c>.pgm</c>,
    /// <c>.tif</c> and <c>.tiff</c>: they are listed (so labels and positions match torchvision's) and then reported as
    /// unreadable files like any other bad file.
    /// </summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif"];

    private ImageFolderListing(string root, IReadOnlyList<string> classes, IReadOnlyList<SourceFile> files)
    {
        Root = root;
        Classes = classes;
        Files = files;
    }

    /// <summary>The folder, as a full path.</summary>
    public string Root { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Every image file, in torchvision's order.</summary>
    public IReadOnlyList<SourceFile> Files { get; }

    /// <summary>The full path of <paramref name="file"/>.</summary>
    public string FullPath(SourceFile file) => Path.Combine(Root, file.RelativePath);

    /// <summary>
    /// Lists <paramref name="root"/>. With <paramref name="classes"/> (a test folder read with its training folder's classes)
    /// labels follow that list and every class sub-folder must be one of it; a class of the list without a sub-folder simply
    /// has no images here. Without, the sub-folders are the classes and there must be at least two.
    /// </summary>
    /// <exception cref="UserInputException">
    /// The path is not a directory, has no class sub-folder, has fewer than two, a class folder holds no image file, or a test
    /// folder names a class the training folder lacks; one sentence naming the folder.
    /// </exception>
    public static ImageFolderListing Scan(string root, IReadOnlyList<string>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new UserInputException(File.Exists(full)
                ? $"Image folder '{root}' is a file, not a directory: give a folder with one sub-folder of images per class."
                : $"Image folder '{root}' does not exist.");
        var found = Directory.GetDirectories(full).Select(Path.GetFileName).OfType<string>().ToList();
        found.Sort(PythonStringOrder.Instance);
        if (found.Count == 0)
            throw new UserInputException($"Image folder '{root}' has no class sub-folders: put each class's images in a sub-folder named after the class.");
        IReadOnlyList<string> labels = classes ?? found;
        if (classes is null && found.Count < 2)
            throw new UserInputException($"Image folder '{root}' has one class sub-folder ('{found[0]}'); a classifier needs at least two.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++) index[labels[i]] = i;
        if (classes is not null && found.FirstOrDefault(c => !index.ContainsKey(c)) is { } stranger)
            throw new UserInputException($"Image folder '{root}' has a class sub-folder '{stranger}' that the training folder has not; both must use the same class names.");

        var files = new List<SourceFile>();
        var empty = new List<string>();
        foreach (string name in found)
        {
            int before = files.Count;
            AddClassFiles(full, name, index[name], files);
            if (files.Count == before) empty.Add(name);
        }
        if (empty.Count > 0)
            throw new UserInputException($"Image folder '{root}' has {(empty.Count == 1 ? "a class folder" : $"{empty.Count} class folders")} with no image file ({Summarise(empty)}); "
                + $"image files end in {string.Join(", ", Extensions)}.");
        return new ImageFolderListing(full, labels, files);
    }

    // sorted(os.walk(dir, followlinks=True)): every directory below the class folder, ordered by its path string; in each
    // its own file names, sorted. A directory reached again through a link loop is not walked twice.
    private static void AddClassFiles(string root, string className, int label, List<SourceFile> files)
    {
        var directories = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(className);
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            var info = new DirectoryInfo(Path.Combine(root, relative));
            string identity = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
            if (!seen.Add(identity)) continue;
            directories.Add(relative);
            foreach (var sub in info.EnumerateDirectories()) pending.Push(relative + "/" + sub.Name);
        }
        directories.Sort(PythonStringOrder.Instance);
        foreach (string relative in directories)
        {
            var entries = new DirectoryInfo(Path.Combine(root, relative)).EnumerateFiles()
                .Where(f => IsImageName(f.Name)).ToList();
            entries.Sort((a, b) => PythonStringOrder.Instance.Compare(a.Name, b.Name));
            foreach (var f in entries)
            {
                // A broken link is listed as torchvision lists it; decoding it then fails like any unreadable file.
                long length = f.Exists ? f.Length : -1;
                long ticks = f.Exists ? f.LastWriteTimeUtc.Ticks : 0;
                files.Add(new SourceFile(relative + "/" + f.Name, label, length, ticks));
            }
        }
    }

    /// <summary>Whether a file name ends in one of <see cref="Extensions"/>, ignoring case.</summary>
    public static bool IsImageName(string name)
    {
        foreach (string extension in Extensions)
            if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>At most five names quoted, then how many more: a list short enough for a one-sentence error.</summary>
    internal static string Summarise(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
}
