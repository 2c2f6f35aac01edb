using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Optim;

namespace FormerSearch.Engine.Tests.Optim;

/// <summary>The README's training loop, as written there, on data it can learn.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_training_loop_learns()
    {
        var rng = new Generator(seed: 0);
        var fc = new Linear(128, 10, rng);
        var optimizer = new AdamW(ParamGroups.WithNoDecay(fc.NamedParameters(), weightDecay: 0.05), lr: 1e-3);

        var images = Tensor.Zeros(32, 128);
        new Generator(1).FillNormal(images.AsSpan());
        int[] labels = new int[32];
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 10;

        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            using var scope = TensorScope.Enter();
            optimizer.ZeroGrad();
            var loss = Functional.CrossEntropy(fc.Forward(images), labels, labelSmoothing: 0.1f);
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < 0.5f * first, $"loss went from {first} to {last}");
        Assert.Equal(0, Tape.Count);
    }
}
