namespace Certify.Functional.VnnLib;

/// <summary>A declared variable: input X_<c>Index</c> or output Y_<c>Index</c>.</summary>
internal readonly record struct VariableRef(bool Output, int Index)
{
    public override string ToString() => (Output ? "Y_" : "X_") + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
