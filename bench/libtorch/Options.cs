using System.Globalization;

namespace LibTorchTrainBench;

/// <summary>The command line, as train_bench.py's: --model, --input CxHxW, --batch-size, --threads, --seconds, --no-channels-last.</summary>
public sealed record Options(string Model, string Input, int BatchSize, int Threads, double Seconds, bool NoChannelsLast)
{
    public int[] Dims => Input.Split('x').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();

    public static Options Parse(string[] args)
    {
        var o = new Options("", "3x64x64", 64, 2, 3.0, false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--model" => o with { Model = Value() },
                "--input" => o with { Input = Value() },
                "--batch-size" => o with { BatchSize = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--threads" => o with { Threads = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--no-channels-last" => o with { NoChannelsLast = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (o.Model is not ("poolformer_s12" or "deit_tiny")) throw new ArgumentException("--model must be poolformer_s12 or deit_tiny.");
        if (o.Dims.Length != 3 || o.Dims.Any(d => d < 1) || o.BatchSize < 1 || o.Threads < 1)
            throw new ArgumentException("--input must be CxHxW and --batch-size and --threads positive.");
        return o;
    }
}
