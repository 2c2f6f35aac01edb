namespace FormerSearch.Tests.Models;

/// <summary>
/// Parameter counts and MACs of the official implementations at 3×224×224 with 1000 classes, measured once
/// with torch 1.13 by a throwaway script (not committed): it imported sail-sg/poolformer's
/// <c>models/poolformer.py</c> and <c>models/metaformer.py</c> from a fetched copy with timm's few helpers
/// stubbed, and timm's VisionTransformer module tree for DeiT (timm itself cannot be imported here); params are
/// <c>sum(p.numel() for p in model.parameters())</c>; MACs are fvcore's convention counted with forward hooks:
/// every <c>nn.Conv2d</c> (<c>out.numel() · Cin/groups · kh · kw</c>), every <c>nn.Linear</c>
/// (<c>out.numel() · in</c>) and each attention's q·kᵀ and attn·v (<c>2 · N² · C</c>); norms not counted.
/// AutoFormer T/S/B: microsoft/Cream's <c>AutoFormer/model</c> imported from a fetched copy (torch._six's
/// <c>container_abcs</c> stubbed), the supernet of the SUPERNET section of <c>experiments/subnet/AutoFormer-{T,S,B}.yaml</c> built with the
/// README's flags (gp, change_qkv, relative_position, max distance 14, qkv bias) and its RETRAIN subnet
/// set; params are the official <c>get_sampled_params_numel</c>
/// (published rounded: 5.7M/22.9M/54M); MACs were counted under a <c>TorchFunctionMode</c> over one forward pass:
/// <c>F.conv2d</c>, <c>F.linear</c> and every matmul (<c>out.numel() · k</c>), which includes the relative-position
/// products q·R_kᵀ and attn·R_v (published: 1.3/5.1/11 G, from the official <c>get_complexity</c>, a different rule).
/// GLiT-Tiny: bychen515/GLiT's <c>glit_models.py</c> and <c>mix_attention.py</c> imported from a fetched copy (timm's
/// <c>Mlp</c>, <c>PatchEmbed</c>, <c>trunc_normal_</c>, <c>DropPath</c>, <c>register_model</c> and einops' <c>Rearrange</c>
/// stubbed), <c>glit_tiny_patch16_224()</c>; params <c>sum(p.numel())</c> (published 7.2M in the paper, 7.3M in the
/// README); MACs counted under the same <c>TorchFunctionMode</c> (<c>F.conv2d</c>, <c>F.conv1d</c> as
/// <c>out.numel() · Cin/groups · k</c>, <c>F.linear</c>, matmuls): conv 480,141,696 + linear 895,864,320 + attention
/// 96,867,264 (published 1.4 G in the paper; the README's 1.33 G is the official <c>count_mixit_flops</c>, which counts
/// the local heads' first pointwise convolution at half its width).
/// BurgerFormer tiny/small/base/large: xingxing-123/BurgerFormer's <c>net.py</c> (with <c>block.py</c>, <c>operation.py</c>) imported
/// from a fetched copy with timm's helpers stubbed, <c>burgerformer(net_config=arch.burgerformer_*)</c>; params are
/// <c>sum(p.numel())</c>; MACs counted with the forward hooks above (conv, linear, and 2·N²·C per <c>Attention</c>).
/// The repo's own <c>cal_flops_params.py</c> (which the published 1.0/2.1/3.9/6.5 G come from) also counts biases,
/// norms, activations and pooling: 1.003/2.087/3.853/6.537 G; its params (9,916,240/14,033,960/26,195,232/36,034,912) omit the layer scales.
/// </summary>
internal static class OfficialCounts
{
    public static readonly IReadOnlyDictionary<string, (long Params, long Macs)> At224 = new Dictionary<string, (long, long)>
    {
        ["poolformer_s12"] = (11_915_176, 1_812_267_008),
        ["poolformer_s24"] = (21_388_968, 3_392_208_896),
        ["poolformer_s36"] = (30_862_760, 4_972_150_784),
        ["poolformer_m36"] = (56_172_520, 8_758_788_096),
        ["poolformer_m48"] = (73_473_448, 11_533_320_192),
        ["metaformer_id_s12"] = (11_915_176, 1_812_267_008),
        ["metaformer_pppa_s12"] = (14_038_440, 1_919_944_704),
        ["metaformer_ppaa_s12"] = (16_535_592, 2_549_151_744),
        ["metaformer_pppf_s12"] = (11_919_978, 1_814_725_632),
        ["metaformer_ppff_s12"] = (12_150_474, 1_888_484_352),
        ["deit_tiny"] = (5_717_416, 1_253_683_200),
        ["deit_small"] = (22_050_664, 4_598_882_304),
        ["deit_base"] = (86_567_656, 17_563_828_224),
        ["autoformer_tiny"] = (5_867_944, 1_481_938_432),
        ["autoformer_small"] = (22_891_432, 5_161_400_832),
        ["autoformer_base"] = (53_691_688, 11_691_179_008),
        ["glit_tiny"] = (7_264_456, 1_472_873_280),
        ["burgerformer_tiny"] = (9_922_064, 983_080_960),
        ["burgerformer_small"] = (14_045_512, 2_048_545_792),
        ["burgerformer_base"] = (26_207_776, 3_816_998_912),
        ["burgerformer_large"] = (36_052_256, 6_433_376_256),
    };
}
