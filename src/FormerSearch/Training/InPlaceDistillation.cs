using FormerSearch.Engine;
using FormerSearch.Engine.Autograd;

namespace FormerSearch.Training;

/// <summary>
/// In-place distillation (BigNAS, AttentiveNAS; OFA's "KD" loss at temperature 1): in one supernet step the largest
/// subnet learns from the labels, and the other subnets of the step learn from its predictions on the same images.
/// A student's loss is the soft-target cross-entropy <c>mean_b Σ_k −p_bk·log softmax(z_b)_k</c> against
/// <c>p = softmax(teacher logits)</c>, detached so that no gradient reaches the teacher through its students. It is
/// <c>KL(p ‖ softmax(z))</c> plus the teacher's entropy, which does not depend on <c>z</c>: both have the gradient
/// <c>(softmax(z) − p) / B</c>.
/// One instance keeps the teacher's probabilities of the current step in a buffer it reuses, outside any tensor scope,
/// so that they outlive the teacher's pass.
/// </summary>
public sealed class InPlaceDistillation
{
    private float[] _buffer = [];
    private Tensor? _targets;

    /// <summary>
    /// Keeps <c>softmax(<paramref name="teacherLogits"/>)</c> <c>[B, K]</c>, without gradient, as the targets of the step's
    /// later passes, and returns them (valid until the next call).
    /// </summary>
    /// <exception cref="ArgumentException">The logits are not <c>[batch, classes]</c>.</exception>
    public Tensor Keep(Tensor teacherLogits)
    {
        ArgumentNullException.ThrowIfNull(teacherLogits);
        if (teacherLogits.Rank != 2) throw new ArgumentException($"In-place distillation needs logits [batch, classes]; got {Tensor.FormatShape(teacherLogits.Shape)}.");
        int rows = teacherLogits.Shape[0], classes = teacherLogits.Shape[1];
        if (_targets is null || _targets.Shape[0] != rows || _targets.Shape[1] != classes)
        {
            _buffer = new float[rows * classes];
            _targets = Tensor.FromArray(_buffer, rows, classes);
        }
        using (Tape.NoGrad())
        {
            Functional.Softmax(teacherLogits.Detach()).AsSpan().CopyTo(_buffer);
        }
        return _targets;
    }

    /// <summary>The student's loss against the kept teacher probabilities <paramref name="targets"/> (see the class): a rank-0 tensor; gradients flow to <paramref name="studentLogits"/> alone.</summary>
    /// <exception cref="ArgumentException">The shapes differ or are not <c>[batch, classes]</c>.</exception>
    public static Tensor Loss(Tensor studentLogits, Tensor targets) => Functional.SoftTargetCrossEntropy(studentLogits, targets);
}
