using FormerSearch.Engine;
using FormerSearch.Engine.IO;

namespace FormerSearch.Engine.Tests.Support;

/// <summary>
/// PyTorch golden vectors: <c>Golden/make_AREA.py</c> (run once with Debian's python3-torch) writes
/// <c>Golden/AREA.safetensors</c>, committed beside it; tests read them without Python.
/// </summary>
public static class Golden
{
    public static Dictionary<string, Tensor> Load(string area)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", area + ".safetensors");
        if (!File.Exists(path)) Assert.Fail($"Golden file {path} is missing; run tests/FormerSearch.Engine.Tests/Golden/make_{area}.py with /usr/bin/python3.");
        return SafeTensors.Load(path);
    }
}
