namespace Certify.Functional.Data;

/// <summary>The content of an IDX image file (magic 0x00000803): <paramref name="Count"/> images of
/// <paramref name="Rows"/>×<paramref name="Cols"/> uint8 pixels, row-major, image after image
/// (<c>Pixels.Length == Count·Rows·Cols</c>).</summary>
public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels);
