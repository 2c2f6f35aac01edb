using System.Globalization;
using System.Text.Json.Nodes;
using FormerSearch.Models;
using FormerSearch.Spaces;
using FormerSearch.Engine;

namespace FormerSearch.Search;

/// <summary>
/// The budget a search must respect: windows on parameters, MACs (per image, fvcore convention, from the space's analytic
/// profile) and measured latency, any combination. Candidates outside are rejected before evaluation and re-drawn.
/// </summary>
public sealed record Constraints
{
    /// <summary>No constraint at all.</summary>
    public static Constraints None { get; } = new();

    /// <summary>Window on the parameter count.</summary>
    public CostWindow Params { get; init; }

    /// <summary>Window on multiply-accumulates per image.</summary>
    public CostWindow Macs { get; init; }

    /// <summary>Window on the measured latency, in the latency meter's unit.</summary>
    public CostWindow Latency { get; init; }

    /// <summary>True when <paramref name="paramsCount"/>, <paramref name="macs"/> and <paramref name="latency"/> (null: not measured) are all inside.</summary>
    public bool Admits(long paramsCount, long macs, double? latency) =>
        Params.Contains(paramsCount) && Macs.Contains(macs) && (!Latency.IsBounded || (latency is { } l && Latency.Contains(l)));

    /// <summary>
    /// Checks the windows are well formed and that the space can meet them at all: a maximum below the smallest architecture's
    /// cost, or a minimum above the largest's, is an error naming the bound and the achievable value.
    /// </summary>
    /// <exception cref="UserInputException">A window is empty or out of the space's reach.</exception>
    /// <exception cref="ArgumentException">A latency window without a meter.</exception>
    public void Validate(ISearchSpace space, ModelOptions options, ILatencyMeter? meter)
    {
        Check(Params, "params");
        Check(Macs, "MACs");
        Check(Latency, "latency");
        if (!Params.IsBounded && !Macs.IsBounded && !Latency.IsBounded) return;
        var small = space.Smallest();
        var large = space.Largest();
        var ps = space.Profile(small, options);
        var pl = space.Profile(large, options);
        Reach(Params, "params", ps.Params, pl.Params);
        Reach(Macs, "MACs", ps.Macs, pl.Macs);
        if (Latency.IsBounded)
        {
            if (meter is null) throw new ArgumentException($"A latency constraint {Latency} needs a latency meter.");
            // Only the lower end of the space is measured: a maximum below the smallest architecture's latency is unreachable.
            if (Latency.Max is { } max)
            {
                double l = meter.Measure(small);
                if (max < l)
                    throw new UserInputException($"The maximum latency {Num(max)} is below the smallest architecture's latency {Num(l)} {meter.Unit}: no architecture of {space.Name}/{space.Preset} meets it.");
            }
        }
    }

    /// <summary>The windows as JSON (recorded in a study's run settings).</summary>
    public JsonObject ToJson() => new()
    {
        ["params"] = Window(Params),
        ["macs"] = Window(Macs),
        ["latency"] = Window(Latency),
    };

    /// <summary>"params [a, b], MACs [c, d]" for the bounded windows, or "none".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Params.IsBounded) parts.Add("params " + Params);
        if (Macs.IsBounded) parts.Add("MACs " + Macs);
        if (Latency.IsBounded) parts.Add("latency " + Latency);
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static JsonObject Window(CostWindow w) => new() { ["min"] = w.Min, ["max"] = w.Max };

    private static void Check(CostWindow w, string name)
    {
        if (w.Min is { } lo && (double.IsNaN(lo) || lo < 0)) throw new UserInputException($"The minimum {name} {Num(lo)} is invalid: it must be a non-negative number.");
        if (w.Max is { } hi && (double.IsNaN(hi) || hi < 0)) throw new UserInputException($"The maximum {name} {Num(hi)} is invalid: it must be a non-negative number.");
        if (w.Min is { } a && w.Max is { } b && a > b) throw new UserInputException($"The {name} window {w} is empty: its minimum exceeds its maximum.");
    }

    private static void Reach(CostWindow w, string name, long smallest, long largest)
    {
        if (w.Max is { } max && max < smallest)
            throw new UserInputException($"The maximum {name} {Num(max)} is below the smallest architecture's {name}, {smallest.ToString("N0", CultureInfo.InvariantCulture)}: no architecture meets it.");
        if (w.Min is { } min && min > largest)
            throw new UserInputException($"The minimum {name} {Num(min)} is above the largest architecture's {name}, {largest.ToString("N0", CultureInfo.InvariantCulture)}: no architecture meets it.");
    }

    private static string Num(double v) => v.ToString("#,0.###", CultureInfo.InvariantCulture);
}
