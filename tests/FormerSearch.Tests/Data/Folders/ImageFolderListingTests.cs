using System.Text.Json;
using FormerSearch.Data.Folders;
using FormerSearch.Engine;

namespace FormerSearch.Tests.Data.Folders;

/// <summary>Classes, labels and file order against torchvision's ImageFolder rules (golden list from <c>Data/Golden/make_image_folder.py</c>).</summary>
public sealed class ImageFolderListingTests
{
    [Fact]
    public void Lists_classes_and_files_as_torchvision_does()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "Golden", "image_folder.json")));
        using var tree = new TempTree();
        foreach (var file in golden.RootElement.GetProperty("files").EnumerateArray()) tree.Touch(file.GetString()!);
        foreach (var dir in golden.RootElement.GetProperty("dirs").EnumerateArray()) Directory.CreateDirectory(tree.PathOf(dir.GetString()!));

        var listing = ImageFolderListing.Scan(tree.Root);

        Assert.Equal(golden.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!), listing.Classes);
        var expected = golden.RootElement.GetProperty("samples").EnumerateArray().Select(s => (s[0].GetString()!, s[1].GetInt32())).ToList();
        Assert.Equal(expected, listing.Files.Select(f => (f.RelativePath, f.Label)).ToList());
        Assert.All(listing.Files, f => Assert.Equal(0, f.Length));
    }

    [Fact]
    public void Code_point_order_differs_from_utf16_order_where_python_does()
    {
        // U+FF21 (one UTF-16 unit) sorts before U+1F600 (a surrogate pair starting 0xD83D) by code point, after it by UTF-16 unit.
        Assert.True(PythonStringOrder.Instance.Compare("\uff21", "\U0001F600") < 0);
        Assert.True(string.CompareOrdinal("\uff21", "\U0001F600") > 0);
        Assert.True(PythonStringOrder.Instance.Compare("a", "a b") < 0);
        Assert.True(PythonStringOrder.Instance.Compare("B", "a") < 0);
        Assert.Equal(0, PythonStringOrder.Instance.Compare("x", "x"));
    }

    [Fact]
    public void Bad_layouts_are_one_sentence_each()
    {
        using var tree = new TempTree();
        var missing = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("nothing")));
        Assert.Contains("does not exist", missing.Message);

        tree.Touch("file.png");
        var file = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("file.png")));
        Assert.Contains("is a file, not a directory", file.Message);

        Directory.CreateDirectory(tree.PathOf("empty"));
        var empty = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("empty")));
        Assert.Contains("has no class sub-folders", empty.Message);

        tree.Touch("one/cat/a.png");
        var one = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("one")));
        Assert.Contains("a classifier needs at least two", one.Message);

        tree.Touch("holes/cat/a.png");
        tree.Touch("holes/dog/readme.txt");
        Directory.CreateDirectory(tree.PathOf("holes/emu"));
        var hole = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("holes")));
        Assert.Contains("2 class folders with no image file ('dog', 'emu')", hole.Message);
        Assert.DoesNotContain('\n', hole.Message);
    }

    [Fact]
    public void A_test_folder_takes_the_training_classes()
    {
        using var tree = new TempTree();
        tree.Touch("test/dog/a.png");
        tree.Touch("test/emu/b.png");
        var listing = ImageFolderListing.Scan(tree.PathOf("test"), ["cat", "dog", "emu"]);
        Assert.Equal([("dog/a.png", 1), ("emu/b.png", 2)], listing.Files.Select(f => (f.RelativePath, f.Label)).ToList());
        tree.Touch("test/yak/c.png");
        var stranger = Assert.Throws<UserInputException>(() => ImageFolderListing.Scan(tree.PathOf("test"), ["cat", "dog", "emu"]));
        Assert.Contains("'yak' that the training folder has not", stranger.Message);
    }

    [Fact]
    public void Linked_folders_are_followed_once()
    {
        using var tree = new TempTree();
        tree.Touch("data/cat/a.png");
        tree.Touch("elsewhere/b.png");
        tree.Touch("data/dog/c.png");
        Directory.CreateSymbolicLink(tree.PathOf("data/cat/more"), tree.PathOf("elsewhere"));
        Directory.CreateSymbolicLink(tree.PathOf("data/dog/loop"), tree.PathOf("data/dog"));
        var listing = ImageFolderListing.Scan(tree.PathOf("data"));
        Assert.Equal(["cat/a.png", "cat/more/b.png", "dog/c.png"], listing.Files.Select(f => f.RelativePath));
    }
}
