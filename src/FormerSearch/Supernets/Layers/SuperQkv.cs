using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Supernets.Layers;

/// <summary>
/// AutoFormer's entangled q/k/v projection (official <c>qkv_super</c>): a weight <c>[3·MaxInner, MaxIn]</c> whose rows
/// interleave q, k and v — a subnet with <c>inner</c> q/k/v channels takes the first <c>3·inner</c> rows and uses rows
/// <c>0, 3, 6, …</c> for q, <c>1, 4, 7, …</c> for k and <c>2, 5, 8, …</c> for v (official <c>sample_weight</c>:
/// <c>cat([w[i:3·inner:3] for i in 0..2])</c>), while its bias is the plain prefix <c>b[:3·inner]</c>, so q, k and
/// v biases are <c>b[0:inner]</c>, <c>b[inner:2·inner]</c>, <c>b[2·inner:3·inner]</c> (official <c>sample_bias</c>).
/// Each of q, k and v is one GEMM on a strided view of the weight (row stride <c>3·MaxIn</c>): no copy, and gradients
/// land in the rows used.
/// </summary>
public sealed class SuperQkv : Module
{
    /// <summary>A projection from at most <paramref name="maxIn"/> channels to q, k and v of at most <paramref name="maxInner"/> channels each; weight trunc_normal(0.02), bias 0.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public SuperQkv(int maxIn, int maxInner, Generator generator, bool bias = true)
    {
        if (maxIn < 1 || maxInner < 1) throw new ArgumentException($"A super qkv projection needs positive sizes; got {maxIn} → 3×{maxInner}.");
        MaxIn = maxIn;
        MaxInner = maxInner;
        Weight = RegisterParameter("weight", new Parameter(3 * maxInner, maxIn));
        Init.TruncNormal(Weight.Value, generator, std: 0.02);
        if (bias) Bias = RegisterParameter("bias", new Parameter(3 * maxInner) { NoWeightDecay = true });
    }

    /// <summary>Largest input width.</summary>
    public int MaxIn { get; }

    /// <summary>Largest width of each of q, k and v.</summary>
    public int MaxInner { get; }

    /// <summary>The whole weight <c>[3·MaxInner, MaxIn]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The whole bias <c>[3·MaxInner]</c>, if any.</summary>
    public Parameter? Bias { get; }

    /// <summary>Row of the whole weight that output <paramref name="channel"/> of part <paramref name="part"/> (0 q, 1 k, 2 v) uses.</summary>
    public static int WeightRow(int part, int channel) => 3 * channel + part;

    /// <summary>Element of the whole bias that output <paramref name="channel"/> of part <paramref name="part"/> uses when <paramref name="inner"/> channels are active.</summary>
    public static int BiasIndex(int part, int channel, int inner) => part * inner + channel;

    /// <summary>Part <paramref name="part"/> (0 q, 1 k, 2 v) of <paramref name="x"/> <c>[…, in]</c>: <c>[…, inner]</c>.</summary>
    /// <exception cref="ArgumentException">The part is not 0, 1 or 2, or a width exceeds the largest.</exception>
    public Tensor Forward(Tensor x, int part, int inner)
    {
        int inFeatures = x.Size(-1);
        if ((uint)part > 2 || inner < 1 || inner > MaxInner || inFeatures > MaxIn)
            throw new ArgumentException($"A super qkv projection of at most {MaxIn} → 3×{MaxInner} cannot run part {part} of {inFeatures} → {inner}.");
        // [MaxInner, 3, MaxIn] picks every third row: a [MaxInner, MaxIn] view with row stride 3·MaxIn.
        var rows = Weight.Value.Reshape(MaxInner, 3, MaxIn).Select(1, part).Narrow(0, 0, inner).Narrow(1, 0, inFeatures);
        return Functional.Linear(x, rows, Bias?.Value.Narrow(0, part * inner, inner));
    }
}
