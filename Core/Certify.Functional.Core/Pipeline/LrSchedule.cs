namespace Certify.Functional.Pipeline;

/// <summary>Learning-rate schedules as pure functions of the number of completed optimizer steps.</summary>
public static class LrSchedule
{
    /// <summary>Schedule names accepted by <see cref="Factor"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "cosine"];

    /// <summary>The factor applied to the base learning rate after <paramref name="step"/> of
    /// <paramref name="totalSteps"/> steps: "constant" = 1; "cosine" = ½(1 + cos(π·step/total)), from 1 to 0.</summary>
    public static double Factor(string schedule, long step, long totalSteps) => schedule switch
    {
        "constant" => 1.0,
        "cosine" => 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp((double)step / Math.Max(totalSteps, 1), 0, 1))),
        _ => throw new ArgumentException($"Unknown learning-rate schedule '{schedule}'. Known: {string.Join(", ", Names)}."),
    };
}
