using FormerSearch.Engine.IO;
using FormerSearch.Testing;

namespace FormerSearch.Engine.Tests.IO;

/// <summary>
/// Hostile PyTorch checkpoints generated with fixed seeds from ones <c>torch.save</c> wrote (a zip archive and the legacy
/// format): each is read or refused in one short line naming the file, never another exception, never a hang.
/// </summary>
public sealed class TorchCheckpointHostileInputTests
{
    [Theory]
    [InlineData("model.pth", 1351)]
    [InlineData("legacy.pt", 1352)]
    public void Three_hundred_generated_corruptions_are_read_or_refused_in_one_short_line(string fixture, int seed)
    {
        var valid = File.ReadAllBytes(IoFixtures.Pth(fixture));
        string path = IoFixtures.TempFile(Path.GetExtension(fixture));
        try
        {
            var cases = HostileInputs.Corruptions(valid, seed, count: 300, headerBytes: 64);
            foreach (var (name, bytes) in cases)
            {
                File.WriteAllBytes(path, bytes);
                HostileInputs.Check(name, path, () => StateDictFile.Load(path, null, _ => { }));
            }
            Assert.Equal(300, cases.Count);
        }
        finally { File.Delete(path); }
    }
}
