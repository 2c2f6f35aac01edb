using FormerSearch.Engine;
using FormerSearch.Engine.IO;
using FormerSearch.Engine.Memory;
using FormerSearch.Training;

namespace FormerSearch.Tests.Training;

/// <summary>In-place distillation's loss: against PyTorch (<c>Golden/make_distillation.py</c>) and against finite differences.</summary>
public sealed class InPlaceDistillationTests
{
    private static Dictionary<string, Tensor> Golden() =>
        SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Training", "Golden", "distillation.safetensors"));

    [Fact]
    public void Loss_and_student_gradient_match_pytorch_and_the_teacher_gets_none()
    {
        var golden = Golden();
        using var _ = TensorScope.Enter();
        var student = golden["s"].Clone();
        student.RequiresGrad = true;
        var teacher = golden["t"].Clone();
        teacher.RequiresGrad = true; // a teacher still in the graph of its own pass must not learn from its students
        var loss = InPlaceDistillation.Loss(student, new InPlaceDistillation().Keep(teacher));
        loss.Backward();

        float expected = golden["loss"].ToArray()[0];
        Assert.Equal(expected, loss.Item(), 1e-4f * Math.Abs(expected));
        float[] gs = golden["gs"].ToArray(), actual = student.Grad!.ToArray();
        for (int i = 0; i < gs.Length; i++) Assert.True(Math.Abs(gs[i] - actual[i]) <= 1e-5f, $"gradient {i}: torch {gs[i]}, ours {actual[i]}");
        Assert.Null(teacher.Grad);
    }

    [Fact]
    public void Student_gradient_matches_central_differences_of_the_loss_written_out()
    {
        var golden = Golden();
        float[] s = golden["s"].ToArray(), t = golden["t"].ToArray();
        const int rows = 4, classes = 7;
        var student = Tensor.FromArray((float[])s.Clone(), rows, classes);
        student.RequiresGrad = true;
        float[] gradient;
        using (TensorScope.Enter())
        {
            InPlaceDistillation.Loss(student, new InPlaceDistillation().Keep(Tensor.FromArray(t, rows, classes))).Backward();
            gradient = student.Grad!.ToArray();
        }
        const double h = 1e-4;
        for (int i = 0; i < s.Length; i++)
        {
            double[] up = Array.ConvertAll(s, v => (double)v), down = Array.ConvertAll(s, v => (double)v);
            up[i] += h;
            down[i] -= h;
            double numeric = (Reference(up, t, rows, classes) - Reference(down, t, rows, classes)) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-5 + 1e-4 * Math.Abs(numeric), $"element {i}: finite differences {numeric}, autograd {gradient[i]}");
        }
    }

    [Fact]
    public void Kept_targets_are_the_teacher_softmax_in_a_reused_buffer_that_outlives_the_pass()
    {
        var distillation = new InPlaceDistillation();
        Tensor first, second;
        using (TensorScope.Enter())
        {
            first = distillation.Keep(Tensor.FromArray([0f, 0f, 0f, 0f, 1f, 2f], 2, 3));
        }
        Assert.Equal([1 / 3f, 1 / 3f, 1 / 3f], first.ToArray()[..3]);
        Assert.Equal(1f, first.ToArray()[3..].Sum(), 1e-6f);
        Assert.True(first.ToArray()[5] > first.ToArray()[4]);
        using (TensorScope.Enter())
        {
            second = distillation.Keep(Tensor.FromArray([5f, 0f, 0f, 0f, 0f, 5f], 2, 3));
        }
        Assert.Same(first, second);
        Assert.Throws<ArgumentException>(() => distillation.Keep(Tensor.Zeros(6)));
    }

    // mean_b Σ_k −softmax(t)_bk·log softmax(s)_bk in double, as the papers write it.
    private static double Reference(double[] s, float[] t, int rows, int classes)
    {
        double total = 0;
        for (int b = 0; b < rows; b++)
        {
            double maxS = double.MinValue, maxT = double.MinValue, sumS = 0, sumT = 0;
            for (int k = 0; k < classes; k++)
            {
                maxS = Math.Max(maxS, s[b * classes + k]);
                maxT = Math.Max(maxT, t[b * classes + k]);
            }
            for (int k = 0; k < classes; k++)
            {
                sumS += Math.Exp(s[b * classes + k] - maxS);
                sumT += Math.Exp(t[b * classes + k] - maxT);
            }
            for (int k = 0; k < classes; k++)
            {
                double p = Math.Exp(t[b * classes + k] - maxT) / sumT, logQ = s[b * classes + k] - maxS - Math.Log(sumS);
                total -= p * logQ;
            }
        }
        return total / rows;
    }
}
