namespace FormerSearch.Supernets;

/// <summary>How a supernet training step picks its subnets.</summary>
public enum SamplerKind
{
    /// <summary>AutoFormer's Alg. 1: one subnet per step, drawn by the space's own sampler (its rules, e.g. BurgerFormer's norm placement).</summary>
    Uniform,

    /// <summary>Single-path one-shot: one subnet per step, every choice drawn independently and uniformly from its values, redrawn until the space accepts it.</summary>
    Spos,

    /// <summary>The sandwich rule: a random subnet, the smallest and the largest per step; gradients accumulate into one update.</summary>
    Sandwich,

    /// <summary>BurgerFormer's hybrid sampling: a random architecture, then the same operations at the smallest and at the largest sizes; gradients accumulate.</summary>
    Hybrid,
}
