using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;
using FormerSearch.Tests.Training;
using FormerSearch.Training;

namespace FormerSearch.Tests.Supernets;

/// <summary>Supernet training through the trainer: samplers drive the passes, and a killed run resumes exactly.</summary>
public sealed class SupernetTrainingTests : IDisposable
{
    private static readonly ModelOptions Tiny = new() { InChannels = 1, ImageHeight = 12, ImageWidth = 12, NumClasses = 4, Seed = 3, DropPathRate = 0.1f };
    private readonly string _dir = Directory.CreateTempSubdirectory("former-supernet-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("autoformer", SamplerKind.Sandwich)]
    [InlineData("glit", SamplerKind.Spos)]
    [InlineData("burger", SamplerKind.Hybrid)]
    public void A_killed_supernet_run_resumes_to_the_same_weights_bit_for_bit(string spaceName, SamplerKind sampler)
    {
        var space = SearchSpaces.Create(spaceName, "mini");
        var (images, labels) = TensorBatchSource.Random(16, 12, 12, 1, 4, seed: 9);
        var options = new TrainingOptions { Epochs = 2, CheckpointEvery = 1 };
        string whole = Path.Combine(_dir, spaceName + "-whole"), killed = Path.Combine(_dir, spaceName + "-killed");

        Trainer Make(string dir, ITrainingProgress? progress)
        {
            var supernet = space.CreateSupernet(Tiny);
            return new Trainer(supernet, new TensorBatchSource(images, labels, 4), null, options, dir, progress, new SubnetSampler(supernet, sampler, 5))
            {
                WeightsFileName = SupernetDirectory.WeightsFile,
            };
        }

        Make(whole, null).Run();
        Assert.Throws<TrainerTests.KillAt.Killed>(() => Make(killed, new TrainerTests.KillAt(epoch: 1, batch: 1)).Run());
        Make(killed, null).Run(resume: true);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, SupernetDirectory.WeightsFile)), File.ReadAllBytes(Path.Combine(killed, SupernetDirectory.WeightsFile)));
    }
}
