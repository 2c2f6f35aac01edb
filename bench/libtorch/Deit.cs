using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LibTorchTrainBench;

/// <summary>DeiT-Tiny (timm's VisionTransformer: patch 16, width 192, depth 12, 3 heads; 5.7 M parameters).</summary>
sealed class Deit : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> patch, blocks, norm, head;
    private readonly Parameter cls, pos;

    public Deit(int size, int dim = 192, int depth = 12, int heads = 3, int classes = 1000) : base("deit_tiny")
    {
        patch = Conv2d(3, dim, 16, stride: 16);
        cls = Parameter(torch.zeros(1, 1, dim));
        pos = Parameter(torch.zeros(1, (size / 16) * (size / 16) + 1, dim));
        blocks = Sequential(Enumerable.Range(0, depth).Select(_ => (Module<Tensor, Tensor>)new VitBlock(dim, heads)));
        norm = LayerNorm(dim, 1e-6);
        head = Linear(dim, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = patch.forward(x).flatten(2).transpose(1, 2);
        x = torch.cat([cls.expand(x.shape[0], -1, -1), x], 1) + pos;
        return head.forward(norm.forward(blocks.forward(x))[TensorIndex.Colon, 0]);
    }

    private sealed class VitBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> norm1, norm2, qkv, proj, fc1, fc2;
        private readonly int heads;

        public VitBlock(int dim, int heads, int mlpRatio = 4) : base("block")
        {
            this.heads = heads;
            norm1 = LayerNorm(dim, 1e-6);
            norm2 = LayerNorm(dim, 1e-6);
            qkv = Linear(dim, 3 * dim);
            proj = Linear(dim, dim);
            fc1 = Linear(dim, dim * mlpRatio);
            fc2 = Linear(dim * mlpRatio, dim);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], n = x.shape[1], c = x.shape[2];
            var qkvs = qkv.forward(norm1.forward(x)).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4);
            var attention = (qkvs[0] * Math.Pow(c / heads, -0.5)).matmul(qkvs[1].transpose(-2, -1)).softmax(-1);
            x = x + proj.forward(attention.matmul(qkvs[2]).transpose(1, 2).reshape(b, n, c));
            return x + fc2.forward(functional.gelu(fc1.forward(norm2.forward(x))));
        }
    }
}
