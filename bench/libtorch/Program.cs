// `former bench train` timed in LibTorch 2.10 (TorchSharp-cpu 0.107): images/s of full training steps, the port of
// bench/pytorch/train_bench.py — the same two models from their published layouts, the same step (forward,
// cross-entropy, backward, AdamW), two warm-up steps, then the median step over at least --seconds.
// Run through bench/libtorch/train-bench.sh, which gives it a Debian 13 root to run in.
using System.Diagnostics;
using System.Text.Json;
using LibTorchTrainBench;
using TorchSharp;
using static TorchSharp.torch;

var parsed = Options.Command(Run).Parse(args);
if (parsed.Errors.Count > 0)
{
    // Bad input: one sentence, exit 2, as `former` does.
    Console.Error.WriteLine($"libtorch-train-bench: {parsed.Errors[0].Message}");
    return 2;
}
return parsed.Invoke();

static int Run(Options options)
{
    torch.set_num_threads(options.Threads);
    torch.manual_seed(0);
    var dims = options.Dims;
    nn.Module<Tensor, Tensor> model = options.Model == "poolformer_s12" ? new PoolFormer() : new Deit(dims[1]);
    var images = torch.randn(options.BatchSize, dims[0], dims[1], dims[2]);
    // PoolFormer runs channels_last, LibTorch's fastest CPU layout for it (in NCHW a step takes a third longer, a sixth of it
    // reordering for oneDNN). TorchSharp has no memory-format argument, so the images and the convolutions' weights get channels_last
    // strides by permuting, as train_bench.py's model.to(memory_format=torch.channels_last) gives them.
    bool channelsLast = options.Model == "poolformer_s12" && !options.NoChannelsLast;
    if (channelsLast)
    {
        images = images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        foreach (var conv in model.modules().OfType<TorchSharp.Modules.Conv2d>())
            conv.weight = new TorchSharp.Modules.Parameter(conv.weight!.detach().permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
    }
    var labels = torch.randint(0, 1000, new long[] { options.BatchSize }, dtype: ScalarType.Int64);
    var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4, weight_decay: 0.05);
    model.train();

    void Step()
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        nn.functional.cross_entropy(model.forward(images), labels).backward();
        optimizer.step();
    }

    for (int i = 0; i < 2; i++) Step();
    var times = new List<double>();
    var total = Stopwatch.StartNew();
    while (times.Count < 3 || total.Elapsed.TotalSeconds < options.Seconds)
    {
        long start = Stopwatch.GetTimestamp();
        Step();
        times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
    times.Sort();
    double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["model"] = options.Model,
        ["runtime"] = "libtorch " + torch.__version__,
        ["batch_size"] = options.BatchSize,
        ["input"] = dims,
        ["threads"] = options.Threads,
        ["params"] = model.parameters().Sum(p => p.numel()),
        ["channels_last"] = channelsLast,
        ["images_per_s"] = Math.Round(options.BatchSize / median, 2),
    }));
    return 0;
}
