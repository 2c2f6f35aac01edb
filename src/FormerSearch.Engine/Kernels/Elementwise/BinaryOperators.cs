using System.Runtime.Intrinsics;

namespace FormerSearch.Engine.Kernels.Elementwise;

/// <summary>The four <see cref="BinaryOp"/>s as operators; each is exact IEEE arithmetic in every form.</summary>
internal static class BinaryOperators
{
    public readonly struct Add : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x + y;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
    }

    public readonly struct Subtract : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x - y;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x - y;
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
    }

    public readonly struct Multiply : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x * y;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
    }

    public readonly struct Divide : IBinaryOperator
    {
        public static float Invoke(float x, float y) => x / y;
        public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x / y;
        public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;
        public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
    }
}
