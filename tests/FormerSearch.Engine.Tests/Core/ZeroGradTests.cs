using FormerSearch.Engine;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Tests.Core;

/// <summary>
/// ZeroGrad leaves a parameter's zeros pending: the next backward that writes its whole gradient (a linear layer's weight)
/// overwrites the buffer, anything else sees zeros first. Each case compares a parameter whose buffer holds a stale
/// gradient (NaN: any leftover shows) with a fresh copy that never had one.
/// </summary>
public sealed class ZeroGradTests
{
    private static readonly float[] Input = [0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f];

    // Two parameters with the same [3, 2] weight: one with a NaN gradient zeroed by ZeroGrad, one never used.
    private static (Parameter Stale, Parameter Fresh) Weights()
    {
        float[] w = [0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f];
        var stale = new Parameter(Tensor.FromArray((float[])w.Clone(), 3, 2));
        var fresh = new Parameter(Tensor.FromArray((float[])w.Clone(), 3, 2));
        Functional.Linear(Tensor.FromArray((float[])Input.Clone(), 3, 2), stale.Value).Backward(Tensor.Ones(3, 3));
        stale.Grad!.AsSpan().Fill(float.NaN);
        stale.ZeroGrad();
        return (stale, fresh);
    }

    private static Tensor X() => Tensor.FromArray((float[])Input.Clone(), 3, 2);

    [Fact]
    public void A_linear_weight_gradient_after_ZeroGrad_is_the_new_gradient_alone()
    {
        var (stale, fresh) = Weights();
        var seed = Tensor.FromArray([1f, -2f, 3f, 0.5f, 1f, -1f, 2f, 0f, 1f], 3, 3);
        Functional.Linear(X(), stale.Value).Backward(seed);
        Functional.Linear(X(), fresh.Value).Backward(seed);
        Assert.Equal(fresh.Grad!.ToArray(), stale.Grad!.ToArray());
        Assert.DoesNotContain(stale.Grad!.ToArray(), float.IsNaN);
    }

    [Fact]
    public void A_weight_used_twice_after_ZeroGrad_gets_both_gradients()
    {
        var (stale, fresh) = Weights();
        foreach (var p in new[] { stale, fresh })
        {
            var h = Functional.Linear(X(), p.Value);                     // [3, 3]
            var y = Functional.Linear(h.Narrow(1, 0, 2), p.Value);        // the same weight again
            y.Backward(Tensor.Ones(3, 3));
        }
        Assert.Equal(fresh.Grad!.ToArray(), stale.Grad!.ToArray());
    }

    [Fact]
    public void A_gradient_through_a_view_after_ZeroGrad_leaves_zeros_outside_it()
    {
        var (stale, fresh) = Weights();
        foreach (var p in new[] { stale, fresh })
            Functional.Linear(X(), p.Value.Narrow(0, 1, 2)).Backward(Tensor.Ones(3, 2));
        var grad = stale.Grad!.ToArray();
        Assert.Equal(fresh.Grad!.ToArray(), grad);
        Assert.Equal([0f, 0f], grad[..2]);
    }

    [Fact]
    public void A_gradient_read_after_ZeroGrad_without_a_backward_is_zero()
    {
        var (stale, _) = Weights();
        Assert.All(stale.Grad!.ToArray(), v => Assert.Equal(0f, v));
        // Read through a view made before ZeroGrad, too.
        var (other, _) = Weights();
        var view = other.Value.Narrow(0, 0, 2);
        Functional.Linear(X(), view).Backward(Tensor.Ones(3, 2));
        other.ZeroGrad();
        Assert.All(view.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_view_kept_across_steps_adds_onto_zeros_after_ZeroGrad()
    {
        var (stale, fresh) = Weights();
        var view = stale.Value.Narrow(0, 1, 2);
        Functional.Linear(X(), view).Backward(Tensor.Ones(3, 2));
        stale.ZeroGrad();
        Functional.Linear(X(), view).Backward(Tensor.Ones(3, 2));
        Functional.Linear(X(), fresh.Value.Narrow(0, 1, 2)).Backward(Tensor.Ones(3, 2));
        Assert.Equal(fresh.Grad!.ToArray(), stale.Grad!.ToArray());
    }
}
