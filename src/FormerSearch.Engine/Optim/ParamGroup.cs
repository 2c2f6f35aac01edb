using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// A set of parameters sharing optimiser settings (PyTorch's <c>param_groups</c> entry). Settings
/// left unset (NaN or null) take the optimiser's defaults when the optimiser is built.
/// </summary>
public sealed class ParamGroup
{
    /// <summary>A group of <paramref name="parameters"/>; unset learning rate or weight decay take the optimiser's.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, double learningRate = double.NaN, double weightDecay = double.NaN, double lrScale = 1)
    {
        Parameters = [.. parameters];
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        LrScale = lrScale;
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate used by the next step; schedules set it.</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate the group started with (PyTorch's <c>initial_lr</c>), set when the optimiser is built.</summary>
    public double InitialLearningRate { get; internal set; }

    /// <summary>Weight decay (L2 added to the gradient for SGD, decoupled for AdamW).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Multiplies the schedule's learning rate for this group (timm's <c>lr_scale</c>, e.g. layer-wise decay).</summary>
    public double LrScale { get; set; }

    /// <summary>SGD momentum for this group, or null for the optimiser's.</summary>
    public double? Momentum { get; set; }

    /// <summary>SGD dampening for this group, or null for the optimiser's.</summary>
    public double? Dampening { get; set; }

    /// <summary>SGD Nesterov momentum for this group, or null for the optimiser's.</summary>
    public bool? Nesterov { get; set; }

    /// <summary>Adam β1 and β2 for this group, or null for the optimiser's.</summary>
    public (double Beta1, double Beta2)? Betas { get; set; }

    /// <summary>Adam ε for this group, or null for the optimiser's.</summary>
    public double? Eps { get; set; }
}
