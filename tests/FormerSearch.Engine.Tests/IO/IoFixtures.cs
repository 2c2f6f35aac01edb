namespace FormerSearch.Engine.Tests.IO;

/// <summary>Paths of the files written by <c>Golden/make_io.py</c> and <c>Golden/make_pth.py</c>, and a temporary-file helper.</summary>
internal static class IoFixtures
{
    public static string Path(string name)
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", "io", name);
        if (!File.Exists(path)) Assert.Fail($"Fixture {path} is missing; run tests/FormerSearch.Engine.Tests/Golden/make_io.py with /usr/bin/python3.");
        return path;
    }

    /// <summary>A checkpoint written by <c>Golden/make_pth.py</c> (torch.save itself).</summary>
    public static string Pth(string name)
    {
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Golden", "pth", name);
        if (!File.Exists(path)) Assert.Fail($"Fixture {path} is missing; run tests/FormerSearch.Engine.Tests/Golden/make_pth.py with /usr/bin/python3.");
        return path;
    }

    public static string TempFile(string extension) =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fs-io-{Guid.NewGuid():N}{extension}");

    /// <summary>arange(n) / 7 in float32, as numpy computes it (in double, then rounded).</summary>
    public static float[] Ramp(int n)
    {
        var r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float)(i / 7.0);
        return r;
    }
}
