using System.Globalization;
using Certify.Functional.Layers;
using Certify.Functional.Onnx;
using Certify.Functional.Properties.Cli;
using Certify.Functional.Relaxations.Interpreter;
using Certify.Functional.Verification;
using Certify.Functional.Verification.Vnn;
using Certify.Functional.VnnLib;

using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Certify.Functional.Properties.Vnn;

/// <summary>
/// The VNN-LIB runner (<c>certify vnnlib</c>, <c>certify vnncomp</c>) against answers known independently: a network the
/// test generates and exports, whose outputs ONNX Runtime evaluates on a dense grid of its 2-D input box (so which
/// thresholds are reachable is known up to the grid's resolution, and the thresholds keep far from it); the VNN-COMP
/// `test` category's README; and on `mnist_fc`, every counterexample re-checked by ONNX Runtime and every instance
/// checked the other way too (no relaxation refutes a found counterexample, no thorough search falsifies a proof).
/// </summary>
public sealed class VnnRunnerTests(ITestOutputHelper output) : TorchTest
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // A 2-16-16-2 ReLU network with seeded weights, exported to ONNX by the project's exporter (also the generated
    // benchmark of Cluster/ShardedVnnCompTests).
    internal static byte[] GeneratedNetwork(ulong seed = 4242)
    {
        var description = NetworkDescription.Build("grid", Shape.Of(2),
            [new DenseDeclaration(16), new ReluDeclaration(), new DenseDeclaration(16), new ReluDeclaration(), new DenseDeclaration(2)])
            .Match(d => d, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        var g = new TorchSharp.torch.Generator(seed);
        var parameters = new Dictionary<string, Tensor>
        {
            ["layers.0.weight"] = randn([16, 2], generator: g), ["layers.0.bias"] = randn([16], generator: g) * 0.5,
            ["layers.2.weight"] = randn([16, 16], generator: g) * 0.3, ["layers.2.bias"] = randn([16], generator: g) * 0.5,
            ["layers.4.weight"] = randn([2, 16], generator: g) * 0.3, ["layers.4.bias"] = randn([2], generator: g) * 0.5,
        };
        return OnnxExport.ToBytes(description, parameters);
    }

    // y0 − y1 by ONNX Runtime on a 201×201 grid of [lo, hi]²: its minimum and maximum.
    internal static (double Min, double Max) GridRange(byte[] model, float lo = -1, float hi = 1)
    {
        const int n = 201;
        var points = new float[n * n * 2];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                points[2 * (i * n + j)] = lo + (hi - lo) * i / (n - 1);
                points[2 * (i * n + j) + 1] = lo + (hi - lo) * j / (n - 1);
            }
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, new DenseTensor<float>(points, [n * n, 2]))]);
        var y = results.Single().AsEnumerable<float>().ToArray();
        var d = Enumerable.Range(0, n * n).Select(k => (double)y[2 * k] - y[2 * k + 1]).ToArray();
        return (d.Min(), d.Max());
    }

    internal static string Property(string outputs, string box = "(assert (>= X_0 -1))\n(assert (<= X_0 1))\n(assert (>= X_1 -1))\n(assert (<= X_1 1))") =>
        $"(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n{box}\n{outputs}\n";

    (string Verdict, string Text, string Err) Decide(string dir, string onnx, string vnnlib, string text)
    {
        string path = Path.Combine(dir, vnnlib);
        File.WriteAllText(path, text);
        var (code, stdout, stderr) = CliTests.Run("vnnlib", "--onnx", Path.Combine(dir, onnx), "--vnnlib", path, "--timeout", "60");
        output.WriteLine($"{vnnlib}: exit {code}\n{stderr}");
        Assert.Equal(0, code);
        return (stdout.Split('\n')[0], stdout, stderr);
    }

    [Fact]
    public void A_generated_network_gets_the_answers_its_dense_grid_implies_and_its_counterexamples_hold_in_onnx_runtime()
    {
        string dir = Directory.CreateTempSubdirectory("vnn-grid-").FullName;
        try
        {
            var model = GeneratedNetwork();
            File.WriteAllBytes(Path.Combine(dir, "grid.onnx"), model);
            // The network the runner imports computes what ONNX Runtime computes (the import's oracle, on this file too).
            var imported = OnnxImport.Parse(model, "grid.onnx").Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
            Assert.InRange(Certify.Functional.Properties.Onnx.OnnxOracle.WorstRatio(model, imported, 16, -1, 1, seed: 5), 0, 1);
            var (min, max) = GridRange(model);
            double range = max - min;
            output.WriteLine(string.Create(Inv, $"y0 − y1 on the grid: [{min:G6}, {max:G6}]"));

            // Reachable with room to spare (a grid point exceeds it by a quarter of the range): sat, checked by ONNX Runtime.
            string reach = (max - 0.25 * range).ToString("R", Inv);
            var sat = Decide(dir, "grid.onnx", "reach.vnnlib", Property($"(assert (>= (- Y_0 Y_1) {reach}))"));
            Assert.Equal("sat", sat.Verdict);
            VnnResultFile.CheckCounterexample(Path.Combine(dir, "grid.onnx"), Path.Combine(dir, "reach.vnnlib"), sat.Text);

            // Far above anything the grid reaches (the range again above its maximum): no counterexample. Over the wide box the
            // relaxations need not prove it (measured: α-CROWN with optimised intermediate slopes misses by 1.2), so only
            // "not sat" is asserted there; over a small box, where every neuron is (nearly) stable and CROWN is exact up to
            // the few crossing ones, it must be proved.
            string beyond = (max + range).ToString("R", Inv);
            Assert.NotEqual("sat", Decide(dir, "grid.onnx", "beyond.vnnlib", Property($"(assert (>= (- Y_0 Y_1) {beyond}))")).Verdict);
            var (smallMin, smallMax) = GridRange(model, 0.3f, 0.32f);
            string small = "(assert (>= X_0 0.3))\n(assert (<= X_0 0.32))\n(assert (>= X_1 0.3))\n(assert (<= X_1 0.32))";
            string aboveSmall = (smallMax + (smallMax - smallMin) + 1e-3).ToString("R", Inv);
            var proved = Decide(dir, "grid.onnx", "small.vnnlib", Property($"(assert (>= (- Y_0 Y_1) {aboveSmall}))", small));
            Assert.Equal("unsat", proved.Verdict);
            string belowSmall = (smallMax - 0.25 * (smallMax - smallMin)).ToString("R", Inv);
            var reached = Decide(dir, "grid.onnx", "small-reach.vnnlib", Property($"(assert (>= (- Y_0 Y_1) {belowSmall}))", small));
            Assert.Equal("sat", reached.Verdict);
            VnnResultFile.CheckCounterexample(Path.Combine(dir, "grid.onnx"), Path.Combine(dir, "small-reach.vnnlib"), reached.Text);

            // Two cases (a disjunction over input boxes): the second reaches, the first cannot: sat, in the second box.
            string cases = $"(assert (or (and (>= X_0 -1) (<= X_0 1) (>= X_1 -1) (<= X_1 1) (>= (- Y_0 Y_1) {beyond}))\n" +
                           $"            (and (>= X_0 -1) (<= X_0 1) (>= X_1 -1) (<= X_1 1) (>= (- Y_0 Y_1) {reach}))))";
            var two = Decide(dir, "grid.onnx", "cases.vnnlib", Property(cases, box: ""));
            Assert.Equal("sat", two.Verdict);
            VnnResultFile.CheckCounterexample(Path.Combine(dir, "grid.onnx"), Path.Combine(dir, "cases.vnnlib"), two.Text);

            // A clause no output can satisfy (0 ≥ 1 written over Y): unsat by the first relaxation.
            var never = Decide(dir, "grid.onnx", "never.vnnlib", Property("(assert (>= (- Y_0 Y_0) 1))"));
            Assert.Equal("unsat", never.Verdict);
            Assert.Contains("unsat (box)", never.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Bad_inputs_are_one_line_and_exit_2()
    {
        string dir = Directory.CreateTempSubdirectory("vnn-bad-").FullName;
        try
        {
            var model = GeneratedNetwork();
            File.WriteAllBytes(Path.Combine(dir, "grid.onnx"), model);
            File.WriteAllBytes(Path.Combine(dir, "truncated.onnx"), model[..(model.Length / 2)]);
            File.WriteAllBytes(Path.Combine(dir, "sigmoid.onnx"), SigmoidModel());
            File.WriteAllText(Path.Combine(dir, "ok.vnnlib"), Property("(assert (>= Y_0 Y_1))"));
            File.WriteAllText(Path.Combine(dir, "syntax.vnnlib"), Property("(assert (>= Y_0 Y_1)"));
            File.WriteAllText(Path.Combine(dir, "three.vnnlib"), "(declare-const X_2 Real)\n" + Property("(assert (>= Y_0 Y_1))") + "(assert (>= X_2 0))\n(assert (<= X_2 1))\n");
            foreach (var (onnx, vnnlib, code) in new[]
                     { ("truncated.onnx", "ok.vnnlib", "CF2040"), ("sigmoid.onnx", "ok.vnnlib", "CF2041"),
                       ("grid.onnx", "syntax.vnnlib", "CF2042"), ("grid.onnx", "three.vnnlib", "CF2043") })
            {
                var (exit, stdout, stderr) = CliTests.Run("vnnlib", "--onnx", Path.Combine(dir, onnx), "--vnnlib", Path.Combine(dir, vnnlib));
                output.WriteLine($"{onnx} + {vnnlib}: exit {exit}: {stderr.Trim()}");
                Assert.Equal(2, exit);
                Assert.Equal("", stdout);
                var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Single(lines);
                Assert.StartsWith($"error {code}:", lines[0]);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // input x [1, 2] → Sigmoid → y: an operator outside the supported list.
    static byte[] SigmoidModel()
    {
        static global::Onnx.ValueInfoProto Value(string name)
        {
            var shape = new global::Onnx.TensorShapeProto();
            shape.Dim.Add(new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = 1 });
            shape.Dim.Add(new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = 2 });
            return new global::Onnx.ValueInfoProto
            {
                Name = name,
                Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = (int)global::Onnx.TensorProto.Types.DataType.Float, Shape = shape } },
            };
        }
        var graph = new global::Onnx.GraphProto { Name = "sigmoid" };
        graph.Input.Add(Value("x"));
        graph.Output.Add(Value("y"));
        var node = new global::Onnx.NodeProto { OpType = "Sigmoid", Name = "squash" };
        node.Input.Add("x");
        node.Output.Add("y");
        graph.Node.Add(node);
        var model = new global::Onnx.ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new global::Onnx.OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    [VnnCompFact]
    public void The_test_category_gets_the_answers_its_readme_gives()
    {
        string dir = Path.Combine(VnnCompFactAttribute.Root!, "test");
        string outDir = Directory.CreateTempSubdirectory("vnn-test-").FullName;
        try
        {
            // A first run stopped after two instances, then the whole category onto the same table: it continues.
            var first = CliTests.Run("vnncomp", "--benchmark", dir, "--limit", "2", "--out", Path.Combine(outDir, "results.csv"));
            Assert.Equal(0, first.Code);
            var (code, stdout, stderr) = CliTests.Run("vnncomp", "--benchmark", dir, "--out", Path.Combine(outDir, "results.csv"));
            output.WriteLine(stdout + stderr);
            Assert.Equal(0, code);
            Assert.Contains("2 done before (continuing)", stderr);
            Assert.Equal(5, File.ReadAllLines(Path.Combine(outDir, "results.csv")).Length - 2);
            var rows = File.ReadAllLines(Path.Combine(outDir, "results.csv")).Skip(2).Select(l => l.Split(',')).ToArray();
            string Answer(string onnx) => rows.Single(r => r[1] == onnx)[4];
            Assert.Equal("sat", Answer("test_sat.onnx"));            // README: ACAS Xu 1-7, property 3: sat
            Assert.Equal("unsat", Answer("test_unsat.onnx"));        // README: ACAS Xu 1-6, property 3: unsat
            Assert.Equal("unsat", Answer("test_nano.onnx"));         // y = relu(x/2) ≥ 0 never reaches y ≤ −1: a theorem
            Assert.DoesNotContain(rows, r => r[4] == "error");
            var sat = rows.Single(r => r[1] == "test_sat.onnx");
            string result = File.ReadAllText(Directory.GetFiles(Path.Combine(outDir, "results"), $"{int.Parse(sat[0]):D4}-*").Single());
            VnnResultFile.CheckCounterexample(Path.Combine(dir, "test_sat.onnx"), Path.Combine(dir, "test_prop.vnnlib"), result);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [VnnCompFact]
    public void Mnist_fc_counterexamples_hold_in_onnx_runtime_and_no_instance_is_answered_both_ways() =>
        // Branch and bound on a budget of subproblems (work, not time: the same answers on a fast or a busy machine).
        RunAndAudit("mnist_fc", ["--limit", "4", "--timeout-scale", "0.25", "--bab", "subproblems=300"], rows: 4);      // unsat, sat, unknown, unsat

    // Two properties on five ACAS Xu networks: property 2 (sat on 1_3, 2_1, 2_2 in our full run), property 3 (unsat on 1_4, 1_5, sat on 1_7).
    [VnnCompFact]
    public void Acasxu_counterexamples_hold_in_onnx_runtime_and_no_instance_is_answered_both_ways()
    {
        string csv = Path.Combine(Directory.CreateTempSubdirectory("vnn-acas-csv-").FullName, "instances.csv");
        File.WriteAllLines(csv, new[] { "1_3", "2_1", "2_2" }.Select(n => $"onnx/ACASXU_run2a_{n}_batch_2000.onnx,vnnlib/prop_2.vnnlib,116")
            .Concat(new[] { "1_4", "1_5", "1_7" }.Select(n => $"onnx/ACASXU_run2a_{n}_batch_2000.onnx,vnnlib/prop_3.vnnlib,116")));
        try { RunAndAudit("acasxu", ["--instances", csv, "--bab", "subproblems=3000"], rows: 6); }
        finally { Directory.Delete(Path.GetDirectoryName(csv)!, recursive: true); }
    }

    /// <summary>An audit of a whole run done outside the tests (e.g. <c>certify vnncomp --benchmark …/acasxu --out R/results.csv</c>):
    /// with <c>CERTIFY_VNN_AUDIT=R/results.csv</c> and <c>CERTIFY_VNN_BENCHMARK=…/acasxu</c> set, every answer of that run
    /// is checked as the tests above check theirs (with <c>CERTIFY_VNN_AUDIT_SAT_ONLY=1</c> only the counterexamples, by ONNX
    /// Runtime: the other-way checks of a whole category take long). Skipped otherwise (it audits results, it does not
    /// produce them).</summary>
    [VnnCompFact]
    public void Audit_of_a_full_run_named_by_the_environment()
    {
        if (Environment.GetEnvironmentVariable("CERTIFY_VNN_AUDIT") is not { Length: > 0 } table
            || Environment.GetEnvironmentVariable("CERTIFY_VNN_BENCHMARK") is not { Length: > 0 } benchmark)
        {
            output.WriteLine("CERTIFY_VNN_AUDIT / CERTIFY_VNN_BENCHMARK not set: nothing to audit.");
            return;
        }
        Audit(benchmark, table, counterexamplesOnly: Environment.GetEnvironmentVariable("CERTIFY_VNN_AUDIT_SAT_ONLY") == "1");
    }

    void RunAndAudit(string category, string[] options, int rows)
    {
        string dir = Path.Combine(VnnCompFactAttribute.Root!, category);
        string outDir = Directory.CreateTempSubdirectory($"vnn-{category}-").FullName;
        try
        {
            var (code, stdout, stderr) = CliTests.Run(["vnncomp", "--benchmark", dir, .. options, "--out", Path.Combine(outDir, "results.csv")]);
            output.WriteLine(stdout + stderr);
            Assert.Equal(0, code);
            var answers = Audit(dir, Path.Combine(outDir, "results.csv"));
            Assert.Equal(rows, answers.Length);
            Assert.Contains("sat", answers);
            Assert.Contains("unsat", answers);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    // Every row of a results table: its result file says the same; a sat one is a counterexample by ONNX Runtime; and each
    // answer holds the other way too. Returns the answers.
    string[] Audit(string dir, string table, bool counterexamplesOnly = false)
    {
        var rows = File.ReadAllLines(table).Skip(2).Select(l => l.Split(',')).ToArray();
        string results = Path.Combine(Path.GetDirectoryName(table)!, "results");
        foreach (var r in rows)
        {
            string onnx = Resolve(dir, r[1]), vnnlib = Resolve(dir, r[2]);
            string result = File.ReadAllText(Directory.GetFiles(results, $"{int.Parse(r[0]):D4}-*").Single());
            Assert.Equal(r[4], result.Split('\n')[0]);
            if (r[4] == "sat") VnnResultFile.CheckCounterexample(onnx, vnnlib, result);
            if (!counterexamplesOnly) OtherWay(onnx, vnnlib, r[4], result);
        }
        output.WriteLine($"audited {rows.Length} answers: " + string.Join(", ", rows.GroupBy(r => r[4]).Select(g => $"{g.Count()} {g.Key}")));
        return rows.Select(r => r[4]).ToArray();
    }

    static string Resolve(string dir, string name) => File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : Path.Combine(dir, name + ".gz");

    // A sat answer: no relaxation of the ladder refutes the clause its counterexample satisfies. An unsat answer: a thorough
    // falsification (more starts and steps than the runner's own) finds nothing.
    void OtherWay(string onnx, string vnnlib, string verdict, string result)
    {
        if (verdict is not ("sat" or "unsat")) return;
        using var scope = NewDisposeScope();
        var imported = OnnxImport.Load(onnx).Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        using var net = InterpretedNetwork.FromParameters(imported.Description, imported.Parameters, onnx).Match(n => n, e => throw new Xunit.Sdk.XunitException(e.Message));
        net.eval();
        using var net64 = FinalCheck.Float64Copy(net, CPU);
        var property = VnnLibReader.Load(vnnlib).Match(p => p, e => throw new Xunit.Sdk.XunitException(e.Message));
        var cases = property.Cases.Select(c => PropertyTensors.Of(c, net.Description.Input, net.Description.Output.Size, CPU)).ToArray();
        using var _ = no_grad();
        if (verdict == "sat")
        {
            var (_, x, _) = VnnResultFile.Read(result);
            for (int i = 0; i < cases.Length; i++)
            {
                var box = property.Cases[i];
                if (!x.Select((v, k) => box.Lower[k] <= v && v <= box.Upper[k]).All(b => b)) continue;
                var y = net64.forward(tensor(x, dtype: ScalarType.Float64).view(net.Description.Input.Batched(1))).flatten().data<double>().ToArray();
                var satisfied = cases[i].Satisfied(y).Select((s, q) => (s, q)).Where(t => t.s).Select(t => t.q).ToHashSet();
                foreach (var domain in PropertyOptions.DefaultLadder.Where(d => PropertyVerifier.Applies(d, net)))
                    Assert.Empty(PropertyVerifier.Refuted(net64, cases[i], satisfied, domain));
            }
        }
        else
        {
            var g = new TorchSharp.torch.Generator(99);
            var rule = FalsifyOptions.Thorough(net.Description.Input.Size);
            var thorough = new FalsifyOptions(Restarts: 2 * rule.Restarts, Steps: 300);          // more than the runner's own search
            for (int i = 0; i < cases.Length; i++)
                using (enable_grad())
                    Assert.Null(Falsifier.Search(net, net64, cases[i], i, thorough, g, () => false));
        }
    }
}
