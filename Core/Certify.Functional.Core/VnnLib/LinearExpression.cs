namespace Certify.Functional.VnnLib;

/// <summary>Σ coefficient·variable + constant, with no zero coefficients kept. Immutable; arithmetic is IEEE double,
/// rounded to nearest (a lone literal or variable, the common case, is exact).</summary>
internal sealed class LinearExpression
{
    public IReadOnlyDictionary<VariableRef, double> Terms { get; }
    public double Constant { get; }

    LinearExpression(IReadOnlyDictionary<VariableRef, double> terms, double constant) => (Terms, Constant) = (terms, constant);

    public bool IsConstant => Terms.Count == 0;

    public static LinearExpression Of(double constant) => new(new Dictionary<VariableRef, double>(), constant);

    public static LinearExpression Of(VariableRef variable) => new(new Dictionary<VariableRef, double> { [variable] = 1.0 }, 0.0);

    public static LinearExpression Sum(IEnumerable<LinearExpression> parts)
    {
        var terms = new Dictionary<VariableRef, double>();
        double constant = 0.0;
        bool first = true;
        foreach (var part in parts)
        {
            constant = first ? part.Constant : constant + part.Constant;   // a lone part keeps its constant bit for bit (−0.0)
            first = false;
            foreach (var (variable, coefficient) in part.Terms)
                terms[variable] = terms.TryGetValue(variable, out var held) ? held + coefficient : coefficient;
        }
        foreach (var zero in terms.Where(t => t.Value == 0.0).Select(t => t.Key).ToList()) terms.Remove(zero);
        return new(terms, constant);
    }

    public LinearExpression Scale(double factor)
    {
        var terms = new Dictionary<VariableRef, double>();
        foreach (var (variable, coefficient) in Terms)
            if (coefficient * factor is var product && product != 0.0) terms[variable] = product;
        return new(terms, Constant * factor);
    }

    public LinearExpression Negate() => Scale(-1.0);

    public LinearExpression Minus(LinearExpression other) => Sum([this, other.Negate()]);
}
