using FormerSearch.Engine.Autograd;
using FormerSearch.Engine.Nn;
using FormerSearch.Engine.Tracing;

namespace FormerSearch.Engine.Tests.Tracing;

public sealed class OpTraceTests
{
    [Fact]
    public void Ops_and_views_are_recorded_in_order_with_their_tensors_and_attributes()
    {
        var x = Tensor.FromArray([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 3, 4);
        var w = Tensor.FromArray(new float[20], 5, 4);
        Tensor y, z, t;
        IReadOnlyList<TracedOp> ops;
        using (var trace = OpTrace.Start())
        {
            y = Functional.Linear(x, w);                 // [2, 3, 5]
            z = Functional.Gelu(y.Transpose(1, 2));      // [2, 5, 3]
            t = z.Narrow(2, 1, 2);
            ops = trace.Ops;
        }
        Assert.Equal([TracedOpKind.Linear, TracedOpKind.Permute, TracedOpKind.Activation, TracedOpKind.Narrow], ops.Select(o => o.Kind).ToArray());
        Assert.Same(y, ops[0].Output);
        Assert.Equal(new Tensor?[] { x, w, null }, ops[0].Inputs);
        Assert.Equal([0, 2, 1], ops[1].Dims);
        Assert.Same(ops[1].Output, ops[2].Inputs[0]);
        Assert.Equal(ActivationKind.Gelu, ops[2].Activation);
        Assert.Same(t, ops[3].Output);
        Assert.Equal((2, 1, 2), (ops[3].Axis, ops[3].Start, ops[3].Length));
    }

    [Fact]
    public void Ops_an_op_runs_inside_itself_are_not_recorded()
    {
        var token = Tensor.Ones(1, 1, 4);
        var tokens = Tensor.Zeros(3, 2, 4);
        var strided = Tensor.Zeros(4, 6).Transpose(0, 1);   // not contiguous: Reshape copies inside itself
        IReadOnlyList<TracedOp> ops;
        using (var trace = OpTrace.Start())
        {
            Functional.TokenConcat(token, tokens);            // Expand and Concat inside
            Functional.Add(strided, 1f);                       // Contiguous inside
            strided.Reshape(24);
            ops = trace.Ops;
        }
        Assert.Equal([TracedOpKind.TokenConcat, TracedOpKind.Add, TracedOpKind.Reshape], ops.Select(o => o.Kind).ToArray());
        Assert.Equal(0, ops[1].Inputs[1]!.Rank);               // the scalar operand
        Assert.Equal([24], ops[2].Shape);
    }

    [Fact]
    public void Nothing_is_recorded_once_detached_or_on_another_thread()
    {
        var x = Tensor.Ones(2, 2);
        var trace = OpTrace.Start();
        var other = new Thread(() => Functional.Relu(x));
        other.Start();
        other.Join();
        Functional.Relu(x);
        trace.Dispose();
        Functional.Relu(x);
        Assert.Single(trace.Ops);
        using var next = OpTrace.Start();                      // a detached trace frees the thread for another
        Assert.Empty(next.Ops);
    }

    [Fact]
    public void A_second_trace_on_one_thread_is_refused()
    {
        using var trace = OpTrace.Start();
        Assert.Throws<InvalidOperationException>(() => OpTrace.Start());
    }

    [Fact]
    public void An_eval_mode_module_records_its_running_statistics_and_a_failed_op_leaves_the_trace_usable()
    {
        var bn = new BatchNorm2d(3);
        bn.Eval();
        var x = Tensor.Ones(1, 2, 2, 3);
        using var trace = OpTrace.Start();
        using (Tape.NoGrad()) bn.Forward(x);
        Assert.Throws<ArgumentException>(() => Functional.MatMul(Tensor.Ones(2, 3), Tensor.Ones(2, 3)));
        Functional.Relu(x);
        Assert.Equal([TracedOpKind.BatchNorm, TracedOpKind.Activation], trace.Ops.Select(o => o.Kind).ToArray());
        Assert.Same(bn.RunningMean, trace.Ops[0].Inputs[3]);
        Assert.False(trace.Ops[0].Training);
        Assert.Equal(bn.Eps, trace.Ops[0].Eps);
    }
}
