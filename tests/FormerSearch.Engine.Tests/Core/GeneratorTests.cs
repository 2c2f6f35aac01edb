using FormerSearch.Engine;

namespace FormerSearch.Engine.Tests.Core;

public sealed class GeneratorTests
{
    [Fact]
    public void A_seed_fixes_the_sequence_and_the_state_restores_it()
    {
        var a = new Generator(42);
        var b = new Generator(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt(), b.NextUInt());
        var saved = a.State;
        var expected = Enumerable.Range(0, 10).Select(_ => a.NextFloat()).ToArray();
        var c = new Generator(7) { State = saved };
        Assert.Equal(expected, Enumerable.Range(0, 10).Select(_ => c.NextFloat()).ToArray());
        Assert.NotEqual(new Generator(1).NextUInt(), new Generator(2).NextUInt());
    }

    [Fact]
    public void Uniform_normal_and_integer_draws_have_the_right_distribution()
    {
        var g = new Generator(3);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        float min = 1, max = 0;
        for (int i = 0; i < n; i++)
        {
            float u = g.NextFloat();
            sum += u;
            min = Math.Min(min, u);
            max = Math.Max(max, u);
        }
        Assert.InRange(min, 0f, 1e-3f);
        Assert.InRange(max, 0.999f, 0.99999995f);
        Assert.Equal(0.5, sum / n, 2);

        sum = 0;
        for (int i = 0; i < n; i++)
        {
            double z = g.NextGaussian();
            sum += z;
            sumSq += z * z;
        }
        Assert.Equal(0.0, sum / n, 1);
        Assert.Equal(1.0, sumSq / n, 1);

        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[g.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.NextInt(0));
    }
}
