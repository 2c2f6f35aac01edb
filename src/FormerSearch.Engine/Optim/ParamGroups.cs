using FormerSearch.Engine.Nn;

namespace FormerSearch.Engine.Optim;

/// <summary>Builders of parameter groups.</summary>
public static class ParamGroups
{
    /// <summary>
    /// Splits parameters into a decayed group and a no-decay group (weight decay 0), as timm's
    /// <c>param_groups_weight_decay</c>: no decay for parameters of rank ≤ 1, names ending in
    /// <c>bias</c>, parameters flagged <see cref="Parameter.NoWeightDecay"/>, and names in
    /// <paramref name="skipList"/> (matched as the whole name or its last dotted part, e.g.
    /// <c>pos_embed</c>, <c>cls_token</c>). The no-decay group comes first, as in timm.
    /// </summary>
    public static ParamGroup[] WithNoDecay(IEnumerable<(string Name, Parameter Parameter)> namedParameters, double weightDecay, IEnumerable<string>? skipList = null)
    {
        var skip = new HashSet<string>(skipList ?? []);
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (name, p) in namedParameters)
        {
            int dot = name.LastIndexOf('.');
            string last = dot < 0 ? name : name[(dot + 1)..];
            bool exempt = p.Rank <= 1 || p.NoWeightDecay || name.EndsWith(".bias", StringComparison.Ordinal) || name == "bias"
                || skip.Contains(name) || skip.Contains(last);
            (exempt ? noDecay : decay).Add(p);
        }
        return [new ParamGroup(noDecay, weightDecay: 0), new ParamGroup(decay, weightDecay: weightDecay)];
    }
}
