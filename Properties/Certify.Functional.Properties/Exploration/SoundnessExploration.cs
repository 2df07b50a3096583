using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Certify.Functional.Properties.Laws;

namespace Certify.Functional.Properties.Exploration;

/// <summary>
/// Exploration beyond the pinned seeds: every FsCheck class in this assembly pins <c>Replay</c>, so CI re-checks the
/// same sample forever. This runs every law and theorem (every <c>[Property]</c> of every class with
/// <c>[Properties(Replay = …)]</c>, with that class's arbitraries and case count) again and again with fresh random seeds
/// until the time is up, and logs each seed it used and every failure with its shrunk counterexample. Failing seeds
/// become pinned regression tests. Run by <c>scripts/explore-soundness.sh SECONDS</c> (environment
/// CERTIFY_EXPLORE_SECONDS, CERTIFY_EXPLORE_LOG); skipped otherwise.
/// </summary>
[Collection(LawCollection.Name)]
public sealed class SoundnessExploration : TorchTest
{
    [ExplorationFact]
    public void Every_law_with_fresh_seeds()
    {
        double seconds = double.Parse(Environment.GetEnvironmentVariable("CERTIFY_EXPLORE_SECONDS")!, CultureInfo.InvariantCulture);
        var logPath = Environment.GetEnvironmentVariable("CERTIFY_EXPLORE_LOG") ?? Path.Combine(Path.GetTempPath(), "explore-soundness.log");
        using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var laws = Laws().ToList();
        log.WriteLine($"{laws.Count} properties in {laws.Select(l => l.Class).Distinct().Count()} classes; {seconds:F0} s");
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        int round = 0, runs = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            round++;
            foreach (var law in laws)
            {
                if (clock.Elapsed.TotalSeconds >= seconds) break;
                ulong seed = Fresh(), gamma = Fresh() | 1;            // FsCheck's gamma is odd
                string replay = $"({seed},{gamma})";
                var start = clock.Elapsed;
                string outcome;
                try
                {
                    law.Check(Config.QuickThrowOnFailure.WithReplay(seed, gamma));
                    outcome = "ok";
                }
                catch (Exception ex)
                {
                    var message = (ex is TargetInvocationException t ? t.InnerException ?? ex : ex).Message.Replace('\n', ' ');
                    outcome = "FAILED: " + message;
                    failures.Add($"{law.Class}.{law.Method} Replay = \"{replay}\": {message}");
                }
                runs++;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{clock.Elapsed:hh\\:mm\\:ss} round {round} {law.Class}.{law.Method} ×{law.MaxTest} seed {replay} {(clock.Elapsed - start).TotalSeconds:F1} s {outcome}"));
            }
        }
        log.WriteLine($"done: {runs} property runs in {round} rounds, {clock.Elapsed.TotalSeconds:F0} s, {failures.Count} failed");
        foreach (var f in failures) log.WriteLine("FAILING SEED " + f);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    static readonly int DefaultMaxTest = new PropertyAttribute().MaxTest;

    static ulong Fresh() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    sealed record Law(string Class, string Method, int MaxTest, Action<Config> Check);

    // Every [Property] whose seed is pinned (Replay on the method or its class), with its arbitraries and case count:
    // methods taking one generated argument, or returning a Property built with their own generators.
    static IEnumerable<Law> Laws()
    {
        foreach (var type in typeof(SoundnessExploration).Assembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var props = type.GetCustomAttribute<PropertiesAttribute>();
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<PropertyAttribute>() is not { } prop || (prop.Replay ?? props?.Replay) is null) continue;
                int maxTest = prop.MaxTest != DefaultMaxTest ? prop.MaxTest : props?.MaxTest ?? prop.MaxTest;
                var parameters = method.GetParameters();
                if (parameters.Length == 0 && method.ReturnType == typeof(Property))
                {
                    yield return new Law(type.Name, method.Name, maxTest, config => WithInstance(type, instance =>
                        Check.One(config.WithMaxTest(maxTest), (Property)method.Invoke(instance, null)!)));
                    continue;
                }
                if (parameters.Length != 1) throw new InvalidOperationException($"{type.Name}.{method.Name}: exploration handles one-argument properties only");
                var arbitraries = prop.Arbitrary.Length > 0 ? prop.Arbitrary : props?.Arbitrary ?? [];
                var parameter = parameters[0].ParameterType;
                var arbitrary = arbitraries.SelectMany(a => a.GetMethods(BindingFlags.Public | BindingFlags.Static))
                    .FirstOrDefault(m => m.GetParameters().Length == 0 && m.ReturnType == typeof(Arbitrary<>).MakeGenericType(parameter))
                    ?? throw new InvalidOperationException($"{type.Name}.{method.Name}: no arbitrary for {parameter.Name}");
                var bind = typeof(SoundnessExploration).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(parameter);
                yield return new Law(type.Name, method.Name, maxTest, (Action<Config>)bind.Invoke(null, [type, method, arbitrary.Invoke(null, null), maxTest])!);
            }
        }
    }

    static Action<Config> Bind<T>(Type type, MethodInfo method, Arbitrary<T> arbitrary, int maxTest) => config =>
        WithInstance(type, instance => Check.One(config.WithMaxTest(maxTest), Prop.ForAll(arbitrary, (T value) =>
        {
            if (method.Invoke(instance, [value]) is false) throw new InvalidOperationException($"{method.Name} returned false for {value}");
        })));

    static void WithInstance(Type type, Action<object> run)
    {
        var instance = Activator.CreateInstance(type)!;
        try { run(instance); }
        finally { (instance as IDisposable)?.Dispose(); }
    }
}

/// <summary>Runs only from scripts/explore-soundness.sh (CERTIFY_EXPLORE_SECONDS set).</summary>
public sealed class ExplorationFactAttribute : FactAttribute
{
    /// <inheritdoc/>
    public override string? Skip
    {
        get => base.Skip ?? (Environment.GetEnvironmentVariable("CERTIFY_EXPLORE_SECONDS") is null
            ? "exploration with fresh seeds runs only from scripts/explore-soundness.sh SECONDS" : null);
        set => base.Skip = value;
    }
}
