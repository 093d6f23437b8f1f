namespace Sdn.Common.Packets;

/// <summary>
/// What the owner of a burst does while <see cref="FrameSegmenter.TryAppendAllFinished"/> appends a frame's pieces
/// to it: sends the burst on when it is full, and learns which of its frames each step appended.
/// </summary>
/// <remarks>Implemented by structs, so that the loop is specialised for each owner and its calls are inlined.</remarks>
public interface IFinishedPieceSink
{
    /// <summary>Sends <paramref name="full"/> on and empties it, so the next piece has room.</summary>
    void MakeRoom(PacketBurst full);

    /// <summary><paramref name="count"/> pieces were appended, from frame number <paramref name="first"/> of the burst on.</summary>
    void Appended(int first, int count);
}
