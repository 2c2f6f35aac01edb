using FormerSearch.Engine;
using FormerSearch.Engine.Memory;
using FormerSearch.Engine.Optim;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Supernets;

namespace FormerSearch.Tests.Supernets;

/// <summary>
/// A training step through the supernet changes the active subnet exactly as the same step on the extracted model
/// changes that model: every weight's gradient lands in its slice of the shared weights, through every op, norm and
/// head split (equal outputs alone would not show a gradient path that is cut or doubled).
/// </summary>
public sealed class SupernetGradientTests
{
    [Theory]
    [InlineData("glit", "smallest")]
    [InlineData("glit", "largest")]
    [InlineData("glit", "1")]
    [InlineData("glit", "2")]
    [InlineData("glit-shared", "smallest")]
    [InlineData("glit-shared", "largest")]
    [InlineData("glit-shared", "1")]
    [InlineData("glit-shared", "2")]
    [InlineData("burger", "smallest")]
    [InlineData("burger", "largest")]
    [InlineData("burger", "3")]
    [InlineData("burger", "4")]
    [InlineData("autoformer", "5")]
    public void A_step_through_the_supernet_moves_the_subnet_as_a_step_on_the_extracted_model(string spaceName, string which)
    {
        // "glit-shared": the GLiT supernet whose head splits share one set of weights.
        var space = SearchSpaces.Create(spaceName.Split('-')[0], "mini");
        var options = ModelOptions.For(space.DefaultInput, 5) with { Seed = 3 };
        var supernet = space.CreateSupernet(options, spaceName.EndsWith("-shared", StringComparison.Ordinal) ? HeadSplitWeights.Shared : HeadSplitWeights.Own);
        var arch = which switch
        {
            "smallest" => space.Smallest(),
            "largest" => space.Largest(),
            _ => space.Sample(new Generator(ulong.Parse(which))),
        };
        supernet.Activate(arch);
        var standalone = supernet.Extract(arch);
        var before = standalone.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());

        var x = Tensor.Zeros(4, options.ImageHeight, options.ImageWidth, options.InChannels);
        new Generator(9).FillNormal(x.AsSpan());
        int[] labels = [0, 3, 1, 4];
        void Step(VisionModel model)
        {
            var sgd = new Sgd(model.Parameters(), lr: 1000.0);
            model.ZeroGrad();
            using (TensorScope.Enter()) Functional.CrossEntropy(model.Forward(x), labels).Backward();
            sgd.Step();
        }
        Step(supernet);
        Step(standalone);
        var throughSupernet = supernet.Extract(arch).NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());

        // Deltas of a large step, so that small gradients (behind BurgerFormer's 1e-5 layer scales) stand well above float rounding.
        var deltas = standalone.NamedParameters().Select(p => (p.Name,
            Expected: Delta(p.Parameter.Value.ToArray(), before[p.Name]), Actual: Delta(throughSupernet[p.Name], before[p.Name]))).ToList();
        double largest = deltas.Max(d => d.Expected.Max(Math.Abs));
        int moved = 0;
        foreach (var (name, expected, actual) in deltas)
        {
            double rms = Norm(expected) / Math.Sqrt(expected.Length), diff = Norm(expected.Zip(actual, (e, a) => e - a).ToArray());
            if (diff <= 1e-3 * Norm(expected))
            {
                moved += rms > 0 ? 1 : 0;
                continue;
            }
            // Otherwise only rounding noise on a gradient that is zero by construction (a bias right before a norm) may differ.
            double actualRms = Norm(actual) / Math.Sqrt(actual.Length);
            Assert.True(rms < 1e-7 * largest && actualRms < 1e-6 * largest,
                $"{name}: the step through the supernet differs from the step on the extracted model by {diff / Norm(expected):E2} of its size");
        }
        Assert.True(moved > deltas.Count / 2, $"only {moved} of {deltas.Count} parameters moved");
    }

    private static double[] Delta(float[] after, float[] before) => after.Select((v, i) => (double)v - before[i]).ToArray();

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
