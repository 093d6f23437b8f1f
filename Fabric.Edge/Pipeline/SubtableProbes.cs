namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The subtables one classifier lookup probed: the first <paramref name="Count"/> of <paramref name="Order"/>, the
/// classifier's order at the time (a new order is a new array, so this one stays as it was). Subtables with an
/// <see cref="ClassifierSubtable.Id"/> of <paramref name="NextSubtableId"/> or above did not exist yet.
/// </summary>
internal readonly record struct SubtableProbes(ClassifierSubtable[] Order, int Count, int NextSubtableId);
