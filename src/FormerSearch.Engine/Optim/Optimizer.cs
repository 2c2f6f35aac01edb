using System.Globalization;
using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>
/// Base of optimisers (PyTorch's <c>torch.optim.Optimizer</c>): parameter groups with their own
/// learning rates, per-parameter state (moment buffers, step counts) kept outside every
/// <see cref="Memory.TensorScope"/>, and export/import of that state as named tensors so a
/// checkpoint restores a run exactly. Parameters are numbered across groups in order, as PyTorch's
/// optimiser state dict numbers them. Parameters whose gradient is null are skipped by a step.
/// </summary>
public abstract class Optimizer
{
    private readonly string[] _slotNames;
    private readonly bool _countsSteps;

    /// <summary>Builds the optimiser over <paramref name="groups"/>, filling unset group settings with the defaults.</summary>
    /// <exception cref="ArgumentException">No group, a parameter appears twice, or a learning rate or weight decay is negative or not finite.</exception>
    protected Optimizer(IEnumerable<ParamGroup> groups, double learningRate, double weightDecay, string[] slotNames, bool countsSteps)
    {
        Groups = [.. groups];
        if (Groups.Length == 0) throw new ArgumentException("An optimiser needs at least one parameter group.", nameof(groups));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var all = new List<Parameter>();
        foreach (var g in Groups)
        {
            if (double.IsNaN(g.LearningRate)) g.LearningRate = learningRate;
            if (double.IsNaN(g.WeightDecay)) g.WeightDecay = weightDecay;
            CheckNonNegative(g.LearningRate, "learning rate");
            CheckNonNegative(g.WeightDecay, "weight decay");
            g.InitialLearningRate = g.LearningRate;
            foreach (var p in g.Parameters)
            {
                if (!seen.Add(p)) throw new ArgumentException($"Parameter {p} appears in more than one place in the optimiser's groups.", nameof(groups));
                all.Add(p);
            }
        }
        AllParameters = [.. all];
        _slotNames = slotNames;
        _countsSteps = countsSteps;
        Slots = new Tensor?[slotNames.Length][];
        for (int s = 0; s < slotNames.Length; s++) Slots[s] = new Tensor?[all.Count];
        Steps = new long[all.Count];
    }

    /// <summary>The groups, in order; their learning rates may be changed between steps.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => Groups;

    /// <summary>The groups as an array, so steps iterate without allocating an enumerator.</summary>
    protected ParamGroup[] Groups { get; }

    /// <summary>Every parameter, numbered as in the state dict.</summary>
    protected Parameter[] AllParameters { get; }

    /// <summary>Per-parameter state tensors: <c>Slots[slot][parameter index]</c>, null until first needed.</summary>
    protected Tensor?[][] Slots { get; }

    /// <summary>Per-parameter step counts (used by optimisers that count steps).</summary>
    protected long[] Steps { get; }

    /// <summary>Updates every parameter that has a gradient, once.</summary>
    public abstract void Step();

    /// <summary>Zeroes every parameter's gradient (keeping the buffers).</summary>
    public void ZeroGrad()
    {
        for (int i = 0; i < AllParameters.Length; i++) AllParameters[i].ZeroGrad();
    }

    /// <summary>Sets every group's learning rate to <paramref name="learningRate"/> times its <see cref="ParamGroup.LrScale"/> (what a schedule does each step).</summary>
    public void SetLearningRate(double learningRate)
    {
        foreach (var g in Groups) g.LearningRate = learningRate * g.LrScale;
    }

    /// <summary>
    /// The optimiser's state as named tensors (copies): <c>state.{i}.{slot}</c> for each initialised
    /// buffer (e.g. <c>state.3.exp_avg</c>) and, for optimisers that count steps, <c>state.{i}.step</c>
    /// as a float scalar (exact up to 2²⁴ steps).
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < AllParameters.Length; i++)
        {
            if (_countsSteps && Steps[i] > 0) result[Key(i, "step")] = Tensor.FromArray([Steps[i]]);
            for (int s = 0; s < _slotNames.Length; s++)
                if (Slots[s][i] is { } t) result[Key(i, _slotNames[s])] = Tensor.FromArray(t.ToArray(), t.Shape);
        }
        return result;
    }

    /// <summary>
    /// Replaces the optimiser's state with <paramref name="state"/> (as written by <see cref="StateDict"/>
    /// for the same parameters). Everything is checked before anything changes.
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown, a buffer's shape differs from its parameter's, or a step count is not a non-negative integer; the message names the key.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var (key, t) in state)
        {
            if (!TryParseKey(key, out int index, out string slot))
                throw new ArgumentException($"Optimizer state key '{key}' is not of the form state.<index>.<slot> with index < {AllParameters.Length}.", nameof(state));
            if (slot == "step" && _countsSteps)
            {
                if (t.Numel != 1 || !(t.ToArray()[0] is var v && v >= 0 && v == MathF.Floor(v)))
                    throw new ArgumentException($"Optimizer state '{key}' must be a single non-negative integer.", nameof(state));
            }
            else if (Array.IndexOf(_slotNames, slot) < 0)
                throw new ArgumentException($"Optimizer state key '{key}' names a slot this {GetType().Name} does not have.", nameof(state));
            else if (!t.Shape.SequenceEqual(AllParameters[index].Shape))
                throw new ArgumentException($"Optimizer state '{key}' has shape {Tensor.FormatShape(t.Shape)} but its parameter has {Tensor.FormatShape(AllParameters[index].Shape)}.", nameof(state));
        }
        Array.Clear(Steps);
        foreach (var slots in Slots) Array.Clear(slots);
        foreach (var (key, t) in state)
        {
            TryParseKey(key, out int index, out string slot);
            if (slot == "step") Steps[index] = (long)t.ToArray()[0];
            else Slots[Array.IndexOf(_slotNames, slot)][index] = Tensor.FromArray(t.ToArray(), t.Shape);
        }
    }

    /// <summary>The state tensor of parameter <paramref name="index"/> in <paramref name="slot"/>, created zeroed (outside any scope) on first use.</summary>
    protected Tensor SlotFor(int slot, int index)
    {
        if (Slots[slot][index] is { } t) return t;
        var shape = AllParameters[index].Shape;
        t = Tensor.FromArray(new float[AllParameters[index].Numel], shape);
        Slots[slot][index] = t;
        return t;
    }

    private static string Key(int index, string slot) => "state." + index.ToString(CultureInfo.InvariantCulture) + "." + slot;

    private bool TryParseKey(string key, out int index, out string slot)
    {
        index = -1;
        slot = "";
        var parts = key.Split('.');
        if (parts.Length != 3 || parts[0] != "state") return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index) || index >= AllParameters.Length) return false;
        slot = parts[2];
        return true;
    }

    private static void CheckNonNegative(double value, string what)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentException($"Invalid {what} {value}: it must be finite and non-negative.");
    }
}
