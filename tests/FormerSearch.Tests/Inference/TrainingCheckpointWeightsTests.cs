using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Inference;
using FormerSearch.Models;
using FormerSearch.Tests.Training;
using FormerSearch.Training;

namespace FormerSearch.Tests.Inference;

/// <summary>
/// A <c>former train</c> checkpoint read as weights: its model (in the engine's layouts, convolutions included) and its weight
/// average load bit for bit as the run's model.safetensors and model_ema.safetensors, its card is the run's, and a misfit is one sentence.
/// </summary>
public sealed class TrainingCheckpointWeightsTests : IDisposable
{
    private static readonly ModelInput Size = new(3, 16, 16);
    private readonly string _dir = Directory.CreateTempSubdirectory("former-ckpt-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VisionModel Model(string name = "poolformer_mini") => ModelRegistry.Create(name, ModelOptions.For(Size, 4) with { Seed = 9 });

    private static void AssertSameState(VisionModel expected, VisionModel actual)
    {
        var a = expected.StateDict();
        var b = actual.StateDict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, tensor) in a) Assert.True(tensor.ToArray().SequenceEqual(b[name].ToArray()), name);
    }

    [Fact]
    public void The_model_and_its_average_load_as_the_runs_weights_files()
    {
        var (images, labels) = TensorBatchSource.Random(8, 16, 16, 3, 4, seed: 1);
        var card = new ModelCard { Model = "poolformer_mini", NumClasses = 4, Input = Size };
        new Trainer(Model(), new TensorBatchSource(images, labels, 4), null, new TrainingOptions { Epochs = 1, EmaDecay = 0.5 }, _dir) { Card = card }.Run();
        string checkpoint = Path.Combine(_dir, "checkpoint.safetensors"), weights = Path.Combine(_dir, "model.safetensors");

        Assert.True(TrainingCheckpointWeights.Is(checkpoint));
        Assert.False(TrainingCheckpointWeights.Is(weights));
        Assert.False(TrainingCheckpointWeights.Is(Path.Combine(_dir, "absent.safetensors")));
        Assert.Equal(weights, TrainingCheckpointWeights.ModelFileBeside(checkpoint));
        Assert.Equal(card.ToMetadata(), ModelCard.Read(checkpoint).ToMetadata());
        Assert.Equal(4, WeightsFile.HeadClasses(checkpoint));
        Assert.Null(WeightsFile.InputChannels(checkpoint)); // the engine's layout: no PyTorch stem shape to read

        var fromCheckpoint = Model("poolformer_mini");
        var fromWeights = Model("poolformer_mini");
        WeightsFile.Load(fromCheckpoint, checkpoint, null);
        fromWeights.LoadSafeTensors(weights);
        AssertSameState(fromWeights, fromCheckpoint);

        var averageFromCheckpoint = Model("poolformer_mini");
        var average = Model("poolformer_mini");
        WeightsFile.Load(averageFromCheckpoint, checkpoint, "ema");
        average.LoadSafeTensors(Path.Combine(_dir, "model_ema.safetensors"));
        AssertSameState(average, averageFromCheckpoint);
        Assert.NotEqual(fromCheckpoint.StateDict()["head.weight"].ToArray(), averageFromCheckpoint.StateDict()["head.weight"].ToArray());

        var key = Assert.Throws<UserInputException>(() => WeightsFile.Load(Model(), checkpoint, "optimizer"));
        Assert.Contains("--weights-key 'optimizer'", key.Message);
        var misfit = Assert.Throws<UserInputException>(() => WeightsFile.Load(ModelRegistry.Create("poolformer_mini", ModelOptions.For(Size, 5)), checkpoint, null));
        Assert.StartsWith($"Training checkpoint '{checkpoint}' does not fit this model:", misfit.Message);
        Assert.True(misfit.Message.Length <= 400, misfit.Message);

        // Without the run's weights beside it, a checkpoint has no card: the command line names its model.
        File.Delete(weights);
        Assert.Null(TrainingCheckpointWeights.ModelFileBeside(checkpoint));
        Assert.Equal(new ModelCard().ToMetadata(), ModelCard.Read(checkpoint).ToMetadata());
    }
}
