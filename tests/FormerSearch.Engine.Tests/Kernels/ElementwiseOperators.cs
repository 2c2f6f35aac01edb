using FormerSearch.Engine.Kernels.Activations;
using FormerSearch.Engine.Kernels.Elementwise;

namespace FormerSearch.Engine.Tests.Kernels;

/// <summary>Every element-wise operator of the engine, listed once for the tests that check each one.</summary>
internal static class ElementwiseOperators
{
    /// <summary>A check run on one operator type.</summary>
    public interface ICheck
    {
        void Run<TOp>(string name) where TOp : IBinaryOperator;
    }

    /// <summary>The activations' forward and backward operators, and erf.</summary>
    public static void ForEachActivation(ICheck check)
    {
        check.Run<ActivationOperators.GeluForward>("GeluForward");
        check.Run<ActivationOperators.GeluBackward>("GeluBackward");
        check.Run<ActivationOperators.SiluForward>("SiluForward");
        check.Run<ActivationOperators.SiluBackward>("SiluBackward");
        check.Run<ActivationOperators.ReluBackward>("ReluBackward");
        check.Run<ActivationOperators.Relu6Backward>("Relu6Backward");
        check.Run<ActivationOperators.SigmoidBackward>("SigmoidBackward");
        check.Run<ActivationOperators.TanhBackward>("TanhBackward");
        check.Run<Erf.Operator>("Erf");
    }

    /// <summary>The four arithmetic operators of <see cref="BinaryOp"/>.</summary>
    public static void ForEachArithmetic(ICheck check)
    {
        check.Run<BinaryOperators.Add>("Add");
        check.Run<BinaryOperators.Subtract>("Subtract");
        check.Run<BinaryOperators.Multiply>("Multiply");
        check.Run<BinaryOperators.Divide>("Divide");
    }
}
