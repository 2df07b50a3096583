using System;
using System.Text;

namespace Certify.Functional.Generators.Emit;

/// <summary>Writes C# text line by line with tracked indentation (four spaces) and "\n" line endings, so that
/// generated files are deterministic and readable without <c>NormalizeWhitespace</c>.</summary>
internal sealed class SourceWriter
{
    readonly StringBuilder text = new();
    int depth;

    /// <summary>Writes one line at the current indentation (an empty line has no indentation).</summary>
    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) text.Append(' ', depth * 4).Append(line);
        text.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter Open()
    {
        Line("{");
        depth++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> (plus an optional suffix such as <c>;</c>).</summary>
    public SourceWriter Close(string suffix = "")
    {
        if (depth == 0) throw new InvalidOperationException("SourceWriter: Close without a matching Open.");
        depth--;
        return Line("}" + suffix);
    }

    /// <summary>Indents by one level until the returned scope is disposed (for continuation lines).</summary>
    public IDisposable Indent()
    {
        depth++;
        return new Unindent(this);
    }

    public override string ToString() => text.ToString();

    sealed class Unindent : IDisposable
    {
        readonly SourceWriter writer;
        bool done;
        public Unindent(SourceWriter writer) => this.writer = writer;
        public void Dispose()
        {
            if (done) return;
            done = true;
            writer.depth--;
        }
    }
}
