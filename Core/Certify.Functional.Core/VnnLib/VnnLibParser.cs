using System.Globalization;
using System.Text.RegularExpressions;

namespace Certify.Functional.VnnLib;

/// <summary>The VNN-COMP subset of VNN-LIB: declarations, then each assert's formula in disjunctive normal form
/// (a list of conjunctions of normalised constraints). <see cref="PropertyAssembler"/> combines the asserts.</summary>
internal sealed partial class VnnLibParser(string source)
{
    /// <summary>Most conjunctions one formula, or the whole property, may distribute to.</summary>
    public const int MaxClauses = 10_000;

    readonly Dictionary<string, (VariableRef Variable, TextPosition At)> declared = new(StringComparer.Ordinal);
    int inputCount, outputCount;

    [GeneratedRegex(@"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^([XY])_([0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();

    public static VnnLibProperty Parse(string text, string source)
    {
        var parser = new VnnLibParser(source);
        var asserts = parser.ReadCommands(SReader.Read(text, source));
        var inputDeclarations = parser.DeclarationPositions(output: false);
        parser.DeclarationPositions(output: true);
        var formulas = asserts.Select(a => (a.At, parser.Formula(a.Items[1]))).ToList();
        return PropertyAssembler.Assemble(source, parser.inputCount, parser.outputCount, inputDeclarations, formulas);
    }

    List<SList> ReadCommands(IReadOnlyList<SNode> forms)
    {
        var asserts = new List<SList>();
        foreach (var list in forms.Cast<SList>())   // the reader rejects top-level atoms
        {
            var head = list.Head
                ?? throw VnnLibFailure.Syntax(source, list.At, "expected a command such as (declare-const X_0 Real) or (assert …); got an empty or nested list.");
            switch (head.Text)
            {
                case "declare-const": Declare(list); break;
                case "assert":
                    if (list.Items.Count != 2)
                        throw VnnLibFailure.Syntax(source, head.At, $"(assert …) takes exactly one formula; got {list.Items.Count - 1}.");
                    asserts.Add(list);
                    break;
                case "check-sat" or "get-model" or "exit" or "set-logic" or "set-info" or "set-option": break;   // SMT-LIB no-ops
                default:
                    throw VnnLibFailure.Syntax(source, head.At, $"unknown command '{head.Text}': expected declare-const or assert.");
            }
        }
        return asserts;
    }

    void Declare(SList list)
    {
        if (list.Items.Count != 3 || list.Items[1] is not SAtom name || list.Items[2] is not SAtom sort)
            throw VnnLibFailure.Syntax(source, list.At, "expected (declare-const NAME Real).");
        var match = VariablePattern().Match(name.Text);
        if (!match.Success)
            throw VnnLibFailure.Unsupported(source, name.At, $"'{name.Text}' is not a supported variable name: inputs are X_0, X_1, … and outputs Y_0, Y_1, ….");
        string digits = match.Groups[2].Value;
        if (digits.Length > 1 && digits[0] == '0')
            throw VnnLibFailure.Syntax(source, name.At, $"'{name.Text}': write indices without leading zeros.");
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            throw VnnLibFailure.Syntax(source, name.At, $"'{name.Text}': the index is too large.");
        if (sort.Text != "Real")
            throw VnnLibFailure.Unsupported(source, sort.At, $"'{name.Text}' has sort '{sort.Text}'; only Real is supported.");
        if (declared.TryGetValue(name.Text, out var earlier))
            throw VnnLibFailure.Syntax(source, name.At, $"'{name.Text}' is declared twice (first at {earlier.At}).");
        bool output = match.Groups[1].Value == "Y";
        declared[name.Text] = (new VariableRef(output, index), name.At);
        if (output) outputCount++; else inputCount++;
    }

    /// <summary>The declarations of X (or Y) by index, checked to be 0..n−1 without gaps.</summary>
    TextPosition[] DeclarationPositions(bool output)
    {
        string prefix = output ? "Y" : "X", role = output ? "outputs" : "inputs";
        int count = output ? outputCount : inputCount;
        if (count == 0)
            throw VnnLibFailure.Unsupported(source, new TextPosition(1, 1), $"the property declares no {role} ({prefix}_0 Real …).");
        var positions = new TextPosition?[count];
        foreach (var (variable, at) in declared.Values.Where(d => d.Variable.Output == output).OrderBy(d => d.Variable.Index))
        {
            if (variable.Index >= count)
            {
                int missing = Array.FindIndex(positions, p => p is null);
                throw VnnLibFailure.Syntax(source, at,
                    $"'{variable}' is declared but '{prefix}_{missing}' is not: {role} must be {prefix}_0 … {prefix}_{count - 1} without gaps.");
            }
            positions[variable.Index] = at;
        }
        return [.. positions.Select(p => p!.Value)];
    }

    /// <summary>A formula in disjunctive normal form; [] is false, [[]] is true.</summary>
    IReadOnlyList<Constraint[]> Formula(SNode node)
    {
        if (node is SAtom atom)
            throw VnnLibFailure.Syntax(source, atom.At, $"expected a constraint such as (<= X_0 1), (and …) or (or …); got '{atom.Text}'.");
        var list = (SList)node;
        var head = list.Head
            ?? throw VnnLibFailure.Syntax(source, list.At, "expected a constraint such as (<= X_0 1), (and …) or (or …); got an empty or nested list.");
        var args = list.Items.Skip(1);
        switch (head.Text)
        {
            case "and": return Conjoin(args.Select(Formula).ToList(), head);
            case "or":
                var disjuncts = new List<Constraint[]>();
                foreach (var part in args.Select(Formula))
                {
                    disjuncts.AddRange(part);
                    if (disjuncts.Count > MaxClauses) throw TooMany(head, disjuncts.Count);
                }
                return disjuncts;
            case "<=" or ">=" or "<" or ">": return Comparison(list, head);
            default:
                throw VnnLibFailure.Syntax(source, head.At, $"unknown operator '{head.Text}': expected and, or, <=, >=, < or >.");
        }
    }

    IReadOnlyList<Constraint[]> Conjoin(List<IReadOnlyList<Constraint[]>> parts, SAtom head)
    {
        if (parts.All(p => p.Count == 1)) return [[.. parts.SelectMany(p => p[0])]];   // the common case, linear time
        IReadOnlyList<Constraint[]> product = [[]];
        foreach (var part in parts)
        {
            long size = (long)product.Count * part.Count;
            if (size > MaxClauses) throw TooMany(head, size);
            product = [.. product.SelectMany(left => part.Select(right => (Constraint[])[.. left, .. right]))];
        }
        return product;
    }

    VnnLibFailure TooMany(SAtom head, long count) => VnnLibFailure.Unsupported(source, head.At,
        $"'{head.Text}' distributes to {count} or more conjunctions, more than the {MaxClauses} supported. Fix: split the property into several files.");

    /// <summary>(op a b …), chained as SMT-LIB does: a op b ∧ b op c …; each pair normalised to Σ c·v ≤ d.</summary>
    IReadOnlyList<Constraint[]> Comparison(SList list, SAtom head)
    {
        if (list.Items.Count < 3)
            throw VnnLibFailure.Syntax(source, head.At, $"'{head.Text}' needs two operands; got {list.Items.Count - 1}.");
        var operands = list.Items.Skip(1).Select(Expression).ToList();
        bool upper = head.Text is "<=" or "<", strict = head.Text is "<" or ">";
        var constraints = new List<Constraint>();
        for (int i = 0; i + 1 < operands.Count; i++)
        {
            var difference = upper ? operands[i].Minus(operands[i + 1]) : operands[i + 1].Minus(operands[i]);   // difference ≤ 0
            if (difference.IsConstant)
            {
                if (difference.Constant <= 0.0) continue;   // holds: drop it
                return [];                                   // fails: the conjunction is false
            }
            constraints.Add(Normalise(difference, strict, head));
        }
        return [[.. constraints]];
    }

    Constraint Normalise(LinearExpression difference, bool strict, SAtom head)
    {
        var inputs = difference.Terms.Where(t => !t.Key.Output).OrderBy(t => t.Key.Index).ToList();
        var outputs = difference.Terms.Where(t => t.Key.Output).OrderBy(t => t.Key.Index).ToList();
        double bound = 0.0 - difference.Constant;   // 0.0 − c, not −c: no −0.0 bounds
        if (inputs.Count > 0 && outputs.Count > 0)
            throw VnnLibFailure.Unsupported(source, head.At,
                $"the constraint mixes inputs ({Names(inputs)}) and outputs ({Names(outputs)}); supported are bounds on one X_i and linear constraints over Y only.");
        if (inputs.Count > 1)
            throw VnnLibFailure.Unsupported(source, head.At,
                $"the input constraint combines {Names(inputs)}; inputs must be bounded one at a time, as (<= X_i c) or (>= X_i c).");
        if (inputs.Count == 1)
            return InputBoundOf(inputs[0].Key.Index, inputs[0].Value, bound, head);
        var coefficients = new double[outputCount];
        foreach (var (variable, coefficient) in outputs) coefficients[variable.Index] = coefficient;
        return new OutputConstraint(new OutputRow(coefficients, bound, strict), head.At);
    }

    /// <summary>c·X_i ≤ d as a bound on X_i, rounded outward when d/c is not exact (the box never loses a point).</summary>
    InputBound InputBoundOf(int index, double coefficient, double d, SAtom head)
    {
        double value = d / coefficient;
        if (!double.IsFinite(value))
            throw VnnLibFailure.Unsupported(source, head.At, $"the bound on X_{index} is not a finite double ({d:R} / {coefficient:R}).");
        bool isUpper = coefficient > 0;
        // value·c − d, exactly rounded: negative means value is on the inside of d/c (upper too small, lower too large).
        if (Math.FusedMultiplyAdd(value, coefficient, -d) < 0)
            value = isUpper ? Math.BitIncrement(value) : Math.BitDecrement(value);
        return new InputBound(index, value, isUpper, head.At);
    }

    static string Names(IEnumerable<KeyValuePair<VariableRef, double>> terms) => string.Join(", ", terms.Select(t => t.Key.ToString()));

    LinearExpression Expression(SNode node)
    {
        if (node is SAtom atom) return Atom(atom);
        var list = (SList)node;
        var head = list.Head
            ?? throw VnnLibFailure.Syntax(source, list.At, "expected an expression such as (+ …), (- …) or (* …); got an empty or nested list.");
        var args = list.Items.Skip(1).Select(Expression).ToList();
        int least = head.Text switch { "+" or "-" => 1, "*" => 2, _ => 0 };
        if (least == 0)
            throw VnnLibFailure.Syntax(source, head.At, $"unknown operator '{head.Text}' in an arithmetic expression: expected +, - or *.");
        if (args.Count < least)
            throw VnnLibFailure.Syntax(source, head.At, $"'{head.Text}' needs at least {least} operand(s); got {args.Count}.");
        switch (head.Text)
        {
            case "+": return LinearExpression.Sum(args);
            case "-": return args.Count == 1 ? args[0].Negate() : args[0].Minus(LinearExpression.Sum(args.Skip(1)));
            default:
                if (args.Count(a => !a.IsConstant) > 1)
                    throw VnnLibFailure.Unsupported(source, head.At,
                        "non-linear term: (* …) multiplies two variables; only a constant times an expression is supported.");
                var variable = args.FirstOrDefault(a => !a.IsConstant);
                double factor = args.Where(a => a != variable).Aggregate(1.0, (p, a) => p * a.Constant);
                return variable is null ? LinearExpression.Of(factor) : variable.Scale(factor);
        }
    }

    LinearExpression Atom(SAtom atom)
    {
        if (NumberPattern().IsMatch(atom.Text))
        {
            double value = double.Parse(atom.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(value))
                throw VnnLibFailure.Syntax(source, atom.At, $"the number '{atom.Text}' is outside the range of a double.");
            return LinearExpression.Of(value);
        }
        if (declared.TryGetValue(atom.Text, out var declaration)) return LinearExpression.Of(declaration.Variable);
        if (VariablePattern().IsMatch(atom.Text))
            throw VnnLibFailure.Syntax(source, atom.At,
                $"'{atom.Text}' is not declared: the file declares X_0 … X_{inputCount - 1} and Y_0 … Y_{outputCount - 1}.");
        throw VnnLibFailure.Syntax(source, atom.At,
            $"unknown token '{atom.Text}': expected a number, a declared X_i or Y_i, or an expression (+ …), (- …), (* …).");
    }
}
