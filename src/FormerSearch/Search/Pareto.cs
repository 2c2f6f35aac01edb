namespace FormerSearch.Search;

/// <summary>
/// Multi-objective ranking as NSGA-II (Deb et al. 2002): fast non-dominated sorting and crowding distance. Every objective is
/// minimised (negate one to maximise it); ties keep input order, so results are deterministic.
/// </summary>
public static class Pareto
{
    /// <summary>True when <paramref name="a"/> is no worse than <paramref name="b"/> in every objective and better in one.</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] > b[i]) return false;
            if (a[i] < b[i]) better = true;
        }
        return better;
    }

    /// <summary>
    /// The fronts of <paramref name="points"/>: indices of the non-dominated ones first, then of those only they dominate, and
    /// so on. A point with a NaN objective cannot be compared (every comparison with NaN is false, so it would be
    /// non-dominated): such points form one last front of their own, in input order.
    /// </summary>
    public static List<List<int>> NonDominatedSort(IReadOnlyList<IReadOnlyList<double>> points)
    {
        int n = points.Count;
        var dominated = new List<int>[n];
        var count = new int[n];
        var fronts = new List<List<int>> { new() };
        var unrankable = new List<int>();
        for (int p = 0; p < n; p++)
        {
            dominated[p] = [];
            if (HasNaN(points[p]))
            {
                unrankable.Add(p);
                continue;
            }
            for (int q = 0; q < n; q++)
            {
                if (p == q || HasNaN(points[q])) continue;
                if (Dominates(points[p], points[q])) dominated[p].Add(q);
                else if (Dominates(points[q], points[p])) count[p]++;
            }
            if (count[p] == 0) fronts[0].Add(p);
        }
        while (fronts[^1].Count > 0)
        {
            var next = new List<int>();
            foreach (int p in fronts[^1])
                foreach (int q in dominated[p])
                    if (--count[q] == 0) next.Add(q);
            next.Sort();
            fronts.Add(next);
        }
        fronts.RemoveAt(fronts.Count - 1);
        if (unrankable.Count > 0) fronts.Add(unrankable);
        return fronts;
    }

    private static bool HasNaN(IReadOnlyList<double> point)
    {
        foreach (double v in point)
            if (double.IsNaN(v)) return true;
        return false;
    }

    /// <summary>Crowding distance of each member of <paramref name="front"/> (same order): infinite at each objective's extremes.</summary>
    public static double[] CrowdingDistance(IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<int> front)
    {
        var distance = new double[front.Count];
        if (front.Count == 0) return distance;
        int objectives = points[front[0]].Count;
        var order = new int[front.Count];
        for (int m = 0; m < objectives; m++)
        {
            for (int i = 0; i < order.Length; i++) order[i] = i;
            var sorted = order.OrderBy(i => points[front[i]][m]).ToArray();
            double lo = points[front[sorted[0]]][m], hi = points[front[sorted[^1]]][m];
            distance[sorted[0]] = distance[sorted[^1]] = double.PositiveInfinity;
            if (hi <= lo) continue;
            for (int k = 1; k < sorted.Length - 1; k++)
                distance[sorted[k]] += (points[front[sorted[k + 1]]][m] - points[front[sorted[k - 1]]][m]) / (hi - lo);
        }
        return distance;
    }

    /// <summary>
    /// NSGA-II survivor selection: the first <paramref name="k"/> of <paramref name="points"/>, front by front, the last front
    /// cut by decreasing crowding distance. Returns indices in selection order.
    /// </summary>
    public static List<int> Select(IReadOnlyList<IReadOnlyList<double>> points, int k)
    {
        var chosen = new List<int>(k);
        foreach (var front in NonDominatedSort(points))
        {
            if (chosen.Count + front.Count <= k)
            {
                chosen.AddRange(front);
                if (chosen.Count == k) break;
                continue;
            }
            var d = CrowdingDistance(points, front);
            chosen.AddRange(Enumerable.Range(0, front.Count).OrderByDescending(i => d[i]).Take(k - chosen.Count).Select(i => front[i]));
            break;
        }
        return chosen;
    }
}
