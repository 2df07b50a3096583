namespace Certify.Functional.Errors;

/// <summary>Stable numeric codes of expected failures: 1xxx specification/configuration, 2xxx data and files,
/// 3xxx numerics. Messages follow "what, where, expected, got, fix".</summary>
public static class ErrorCodes
{
    /// <summary>A network description (JSON or declaration) is inconsistent.</summary>
    public const int InvalidNetwork = 1001;
    /// <summary>A layer's input shape does not fit the layer.</summary>
    public const int ShapeMismatch = 1002;
    /// <summary>A configuration value is out of range or unknown.</summary>
    public const int InvalidConfig = 1003;
    /// <summary>An unknown network name.</summary>
    public const int UnknownNetwork = 1004;
    /// <summary>An unknown dataset name.</summary>
    public const int UnknownDataset = 1005;
    /// <summary>The command line does not parse (unknown command or option, missing or malformed value).</summary>
    public const int InvalidCommandLine = 1006;
    /// <summary>A network's number of outputs differs from the dataset's number of classes.</summary>
    public const int ClassCountMismatch = 1008;
    /// <summary>A network or run needs more memory than the machine has.</summary>
    public const int TooLarge = 1009;
    /// <summary>An unknown or unavailable device (--device).</summary>
    public const int UnknownDevice = 1010;

    /// <summary>A file that should exist does not.</summary>
    public const int MissingFile = 2001;
    /// <summary>A file does not start with the expected magic number.</summary>
    public const int WrongMagic = 2002;
    /// <summary>A file ends before its header says it should.</summary>
    public const int TruncatedFile = 2003;
    /// <summary>Images and labels disagree in count or shape.</summary>
    public const int CountMismatch = 2004;
    /// <summary>A data directory holds none of the expected files.</summary>
    public const int NoDataFiles = 2005;
    /// <summary>A checkpoint lacks a parameter the network needs.</summary>
    public const int MissingParameter = 2010;
    /// <summary>A checkpoint parameter has the wrong shape.</summary>
    public const int ParameterShape = 2011;
    /// <summary>A checkpoint or description file cannot be read.</summary>
    public const int UnreadableFile = 2012;
    /// <summary>A checkpoint has keys the network does not know.</summary>
    public const int UnexpectedParameter = 2013;
    /// <summary>A label is outside the dataset's classes.</summary>
    public const int LabelOutOfRange = 2006;
    /// <summary>A checkpoint's checksum does not match its content (damaged or edited).</summary>
    public const int ChecksumMismatch = 2014;
    /// <summary>Writing an output failed (disk full, I/O error); the run's earlier files are intact.</summary>
    public const int WriteFailed = 2015;
    /// <summary>The output folder cannot be created or written (checked before any work).</summary>
    public const int OutputNotWritable = 2030;
    /// <summary>The output folder holds a run (training or verification) with another configuration, or files a run would
    /// replace (continue it with the same configuration, choose a new folder, or start over with --force).</summary>
    public const int OutputFolderInUse = 2031;

    /// <summary>An ONNX file cannot be read: not an ONNX model, truncated, or damaged.</summary>
    public const int OnnxUnreadable = 2040;
    /// <summary>An ONNX graph uses an operator, attribute or shape this project cannot import (the node and the supported
    /// list are named).</summary>
    public const int OnnxUnsupported = 2041;
    /// <summary>A VNN-LIB file is not well formed (line and column named).</summary>
    public const int VnnLibSyntax = 2042;
    /// <summary>A VNN-LIB property's variables do not match the network (input or output count).</summary>
    public const int VnnLibMismatch = 2043;
    /// <summary>A VNN-LIB property is outside the supported subset (an unbounded input, a constraint mixing X and Y, a
    /// non-linear term).</summary>
    public const int VnnLibUnsupported = 2044;

    /// <summary>The process was started by an MPI launcher (mpirun, srun) with several ranks, but MPI cannot be used (libmpi
    /// missing or failing to initialize), or the ranks disagree about the work (different folders or checkpoints).</summary>
    public const int ClusterUnavailable = 2050;
    /// <summary>The command or option does not run with several ranks yet (e.g. loss smoothing).</summary>
    public const int NotParallel = 2051;

    /// <summary>A loss or bound became NaN or infinite.</summary>
    public const int NonFinite = 3001;
    /// <summary>A native kernel that soundness depends on returned wrong values in its self-check on this machine.</summary>
    public const int KernelCheckFailed = 3002;
}
