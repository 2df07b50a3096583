using System.Text;

namespace Certify.Functional.VnnLib;

/// <summary>Combines the asserts (a conjunction) into cases. An assert whose formula is one conjunction adds to every
/// case (the global box and rows); the others are distributed: each choice of one disjunct per such assert is a
/// conjunction of input bounds and output rows, whose box is the global box intersected with the chosen bounds. Choices
/// with the same box share one <see cref="PropertyCase"/>, their output rows becoming its clauses in the order chosen.</summary>
internal static class PropertyAssembler
{
    /// <summary>Most box entries (cases × inputs) held, so a pathological file fails clearly instead of exhausting memory.</summary>
    const long MaxBoxEntries = 20_000_000;

    public static VnnLibProperty Assemble(string source, int inputCount, int outputCount, TextPosition[] inputDeclarations,
        IReadOnlyList<(TextPosition At, IReadOnlyList<Constraint[]> Disjuncts)> asserts)
    {
        var global = new BoxBuilder(inputCount);
        var globalRows = new List<OutputRow>();
        var distributed = asserts.Where(a => a.Disjuncts.Count != 1).ToList();
        foreach (var constraint in asserts.Where(a => a.Disjuncts.Count == 1).SelectMany(a => a.Disjuncts[0]))
            if (constraint is InputBound bound) global.Tighten(bound);
            else globalRows.Add(((OutputConstraint)constraint).Row);

        long total = 1;
        foreach (var (at, disjuncts) in distributed)
        {
            total *= disjuncts.Count;
            if (total > VnnLibParser.MaxClauses)
                throw VnnLibFailure.Unsupported(source, distributed[0].At,
                    $"the asserts with 'or' (at {string.Join(", ", distributed.Select(d => d.At))}) distribute to more than " +
                    $"{VnnLibParser.MaxClauses} clauses. Fix: split the property into several files.");
            if (total == 0) break;
        }

        var cases = new List<(double[] Lower, double[] Upper, List<OutputClause> Clauses)>();
        var caseByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var choice = new int[distributed.Count];
        for (long n = 0; n < total; n++)
        {
            var overrides = new SortedDictionary<int, (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt)>();
            var rows = new List<OutputRow>(globalRows);
            for (int j = 0; j < distributed.Count; j++)
                foreach (var constraint in distributed[j].Disjuncts[choice[j]])
                    if (constraint is InputBound bound)
                    {
                        var held = overrides.TryGetValue(bound.Index, out var o) ? o : global.At(bound.Index);
                        overrides[bound.Index] = BoxBuilder.Tighten(held, bound);
                    }
                    else rows.Add(((OutputConstraint)constraint).Row);

            string key = Key(overrides, global);
            if (!caseByKey.TryGetValue(key, out int index))
            {
                if ((long)(cases.Count + 1) * inputCount > MaxBoxEntries)
                    throw VnnLibFailure.Unsupported(source, distributed[0].At,
                        $"the property has more distinct input boxes than fit in memory ({cases.Count + 1} boxes of {inputCount} inputs).");
                var where = distributed.Count == 0 ? ""
                    : " in the case of " + string.Join(" and ", distributed.Select((d, j) => $"disjunct {choice[j] + 1} of the assert at {d.At}"));
                var (lower, upper) = global.Box(overrides, source, inputDeclarations, where);
                index = cases.Count;
                caseByKey[key] = index;
                cases.Add((lower, upper, []));
            }
            cases[index].Clauses.Add(new OutputClause(rows));

            for (int j = distributed.Count - 1; j >= 0; j--)   // the next choice, the last assert fastest
            {
                if (++choice[j] < distributed[j].Disjuncts.Count) break;
                choice[j] = 0;
            }
        }
        return new VnnLibProperty(source, inputCount, outputCount, [.. cases.Select(c => new PropertyCase(c.Lower, c.Upper, c.Clauses))]);
    }

    /// <summary>The entries where a choice's box differs from the global box, bit for bit.</summary>
    static string Key(SortedDictionary<int, (double Lower, TextPosition? LowerAt, double Upper, TextPosition? UpperAt)> overrides, BoxBuilder global)
    {
        var key = new StringBuilder();
        foreach (var (i, o) in overrides)
        {
            var g = global.At(i);
            if (BitConverter.DoubleToInt64Bits(o.Lower) == BitConverter.DoubleToInt64Bits(g.Lower)
                && BitConverter.DoubleToInt64Bits(o.Upper) == BitConverter.DoubleToInt64Bits(g.Upper)) continue;
            key.Append(i).Append(':').Append(BitConverter.DoubleToInt64Bits(o.Lower)).Append(':').Append(BitConverter.DoubleToInt64Bits(o.Upper)).Append(';');
        }
        return key.ToString();
    }
}
