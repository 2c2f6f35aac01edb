using System.Diagnostics;
using FormerSearch.Engine;
using FormerSearch.Engine.Memory;

namespace FormerSearch.Bench;

/// <summary>
/// Times forward + backward of each main op at the sizes a small vision backbone produces on
/// 64×64 images with batch 64 (PoolFormer-S12's first stages: 16×16×64 and 8×8×128 feature maps;
/// a ViT block's attention over 64 tokens). The core of <c>former bench ops</c>.
/// </summary>
public static class OpsBenchmark
{
    private const int B = 64;

    /// <summary>Every case's name and input shape, in the order <see cref="Run"/> reports them.</summary>
    public static IReadOnlyList<(string Op, string Shape)> Cases => [.. CreateCases(0).Select(c => (c.Op, c.Shape))];

    /// <summary>Runs the cases whose names contain <paramref name="filter"/> (all when null), each for about <paramref name="seconds"/>, on inputs drawn with <paramref name="seed"/>.</summary>
    public static List<OpBenchmarkResult> Run(string? filter = null, double seconds = 0.3, ulong seed = 0)
    {
        var results = new List<OpBenchmarkResult>();
        foreach (var c in CreateCases(seed))
        {
            if (filter is not null && !c.Op.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            results.Add(new OpBenchmarkResult(c.Op, c.Shape, MedianMilliseconds(c.Step, seconds)));
        }
        return results;
    }

    /// <summary>Median wall time of <paramref name="step"/> run inside a fresh scope each time, after warm-up.</summary>
    public static double MedianMilliseconds(Action step, double seconds)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < seconds / 3; i++) Scoped(step);
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (times.Count < 5 || clock.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            Scoped(step);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static void Scoped(Action step)
    {
        using var _ = TensorScope.Enter();
        step();
    }

    private sealed record Case(string Op, string Shape, Action Step);

    private static Tensor Input(ulong seed, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        new Generator(seed).FillUniform(t.AsSpan(), -1f, 1f);
        t.RequiresGrad = true;
        return t;
    }

    private static void BackwardOnes(Tensor y) => y.Backward(Tensor.Ones(y.Shape));

    // Each input has its own stream: seed + 1, seed + 2, ….
    private static List<Case> CreateCases(ulong seed)
    {
        var tokens = Input(seed + 1, B, 256, 64);   // [B, N, C] stage-1 tokens
        var map = Input(seed + 2, B, 16, 16, 64);   // [B, H, W, C] stage-1 feature map
        var hidden = Input(seed + 3, B, 256, 256);  // MLP hidden activations (ratio 4)
        var image = Input(seed + 4, B, 64, 64, 3);  // the input images
        var q = Input(seed + 5, B, 4, 64, 32);      // [B, heads, N, d]
        var k = Input(seed + 6, B, 4, 64, 32);
        var scores = Input(seed + 7, B, 4, 64, 64);
        var seq = Input(seed + 8, B, 64, 96);       // GLiT-style local branch tokens
        var w1 = Input(seed + 10, 256, 64);
        var b1 = Input(seed + 11, 256);
        var ln = Input(seed + 12, 64);
        var stem = Input(seed + 13, 64, 7, 7, 3);   // OHWI
        var down = Input(seed + 14, 128, 3, 3, 64);
        var dw = Input(seed + 15, 64, 3, 3);
        var stemMap = Input(seed + 18, B, 14, 14, 24);  // a BurgerFormer mini stem's 14×14 map (28×28 input)
        var stemConv = Input(seed + 19, 24, 3, 3, 24);
        var dw1d = Input(seed + 16, 96, 31);
        var logits = Input(seed + 17, B, 1000);
        var targets = new int[B];
        for (int i = 0; i < B; i++) targets[i] = i * 7 % 1000;
        var runningMean = Tensor.Zeros(64);
        var runningVar = Tensor.Ones(64);

        return
        [
            new("linear", "[64,256,64]→256", () => BackwardOnes(Functional.Linear(tokens, w1, b1))),
            new("matmul q·kᵀ", "[64,4,64,32]", () => BackwardOnes(Functional.MatMul(q, k.Transpose(-2, -1)))),
            new("softmax", "[64,4,64,64]", () => BackwardOnes(Functional.Softmax(scores))),
            new("layernorm", "[64,256,64]", () => BackwardOnes(Functional.LayerNorm(tokens, ln, ln))),
            new("groupnorm(1)", "[64,16,16,64]", () => BackwardOnes(Functional.GroupNorm1(map, ln, ln))),
            new("batchnorm (train)", "[64,16,16,64]", () => BackwardOnes(Functional.BatchNorm(map, ln, ln, runningMean, runningVar, training: true))),
            new("gelu", "[64,256,256]", () => BackwardOnes(Functional.Gelu(hidden))),
            new("add (per channel)", "[64,256,64]+[64]", () => BackwardOnes(Functional.Add(tokens, ln))),
            new("conv2d 7×7 s4 (stem)", "[64,64,64,3]→64", () => BackwardOnes(Functional.Conv2d(image, stem, null, stride: 4, padding: 2))),
            new("conv2d 3×3 s2 (downsample)", "[64,16,16,64]→128", () => BackwardOnes(Functional.Conv2d(map, down, null, stride: 2, padding: 1))),
            new("conv2d 3×3 (mini stem)", "[64,14,14,24]→24", () => BackwardOnes(Functional.Conv2d(stemMap, stemConv, null, stride: 1, padding: 1))),
            new("depthwise conv2d 3×3", "[64,16,16,64]", () => BackwardOnes(Functional.DepthwiseConv2d(map, dw, null, stride: 1, padding: 1))),
            new("avgpool 3×3", "[64,16,16,64]", () => BackwardOnes(Functional.AvgPool3x3(map))),
            new("depthwise conv1d k31", "[64,64,96]", () => BackwardOnes(Functional.DepthwiseConv1d(seq, dw1d))),
            new("cross-entropy", "[64,1000]", () => Functional.CrossEntropy(logits, targets, labelSmoothing: 0.1f).Backward()),
        ];
    }
}
