using System.CommandLine;
using System.Globalization;

namespace LibTorchTrainBench;

/// <summary>The command line, as train_bench.py's: --model, --input CxHxW, --batch-size, --threads, --seconds, --no-channels-last.</summary>
public sealed record Options(string Model, int[] Dims, int BatchSize, int Threads, double Seconds, bool NoChannelsLast)
{
    /// <summary>The root command; its action gets the parsed options.</summary>
    public static RootCommand Command(Func<Options, int> run)
    {
        var model = new Option<string>("--model") { Description = "poolformer_s12 or deit_tiny.", Required = true };
        model.AcceptOnlyFromAmong("poolformer_s12", "deit_tiny");
        var input = new Option<string>("--input") { Description = "Input as CxHxW.", DefaultValueFactory = _ => "3x64x64" };
        input.Validators.Add(result =>
        {
            if (ParseDims(result.GetValueOrDefault<string>()) is null) result.AddError("--input must be CxHxW, three positive integers, e.g. 3x64x64.");
        });
        var batchSize = Positive(new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 });
        var threads = Positive(new Option<int>("--threads") { Description = "LibTorch's intra-op threads.", DefaultValueFactory = _ => 2 });
        var seconds = new Option<double>("--seconds") { Description = "Time the steps for at least this long.", DefaultValueFactory = _ => 3.0 };
        var noChannelsLast = new Option<bool>("--no-channels-last") { Description = "Run PoolFormer in NCHW instead of channels-last." };
        var command = new RootCommand("former bench train's step timed in LibTorch 2.10 (TorchSharp-cpu 0.107).")
        {
            model, input, batchSize, threads, seconds, noChannelsLast,
        };
        command.SetAction(parse => run(new Options(parse.GetValue(model)!, ParseDims(parse.GetValue(input))!, parse.GetValue(batchSize),
            parse.GetValue(threads), parse.GetValue(seconds), parse.GetValue(noChannelsLast))));
        return command;
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError($"{option.Name} must be at least 1.");
        });
        return option;
    }

    private static int[]? ParseDims(string? text)
    {
        var parts = text?.Split('x') ?? [];
        var dims = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0 ? d : 0).ToArray();
        return dims.Length == 3 && dims.All(d => d > 0) ? dims : null;
    }
}
