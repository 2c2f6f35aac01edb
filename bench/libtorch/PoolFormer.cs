using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LibTorchTrainBench;

/// <summary>PoolFormer-S12 (sail-sg/poolformer's layout; 11.9 M parameters, as FormerSearch's and train_bench.py's).</summary>
sealed class PoolFormer : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> stem, stages, norm, head;

    public PoolFormer(int[]? layers = null, int[]? dims = null, int classes = 1000) : base("poolformer_s12")
    {
        layers ??= [2, 2, 6, 2];
        dims ??= [64, 128, 320, 512];
        stem = Conv2d(3, dims[0], 7, stride: 4, padding: 2);
        var blocks = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < layers.Length; i++)
        {
            if (i > 0) blocks.Add(Conv2d(dims[i - 1], dims[i], 3, stride: 2, padding: 1));
            for (int j = 0; j < layers[i]; j++) blocks.Add(new PoolBlock(dims[i]));
        }
        stages = Sequential(blocks);
        norm = GroupNorm(1, dims[^1]);
        head = Linear(dims[^1], classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => head.forward(norm.forward(stages.forward(stem.forward(x))).mean([-2, -1]));

    private sealed class PoolBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> norm1, norm2, pool, fc1, fc2;
        private readonly Parameter ls1, ls2;

        public PoolBlock(int dim, int mlpRatio = 4) : base("block")
        {
            norm1 = GroupNorm(1, dim);
            norm2 = GroupNorm(1, dim);
            pool = AvgPool2d(3, 1, 1, count_include_pad: false);
            fc1 = Conv2d(dim, dim * mlpRatio, 1);
            fc2 = Conv2d(dim * mlpRatio, dim, 1);
            ls1 = Parameter(1e-5f * torch.ones(dim, 1, 1));
            ls2 = Parameter(1e-5f * torch.ones(dim, 1, 1));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = norm1.forward(x);
            x = x + ls1 * (pool.forward(y) - y);
            return x + ls2 * fc2.forward(functional.gelu(fc1.forward(norm2.forward(x))));
        }
    }
}
