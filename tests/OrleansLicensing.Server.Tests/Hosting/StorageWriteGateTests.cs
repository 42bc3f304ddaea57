using Orleans.Storage;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Hosting;

public sealed class StorageWriteGateTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 8)]
    public async Task Grain_writes_and_clears_reach_the_storage_one_at_a_time_only_when_serialized(bool serialize, int expectedOverlap)
    {
        var inner = new OverlapCountingStorage();
        var storage = new GatedGrainStorage(inner, new StorageWriteGate(serialize));
        var grain = GrainId.Create("test", "g");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? storage.WriteStateAsync("s", grain, new GrainState<int>())
            : storage.ClearStateAsync("s", grain, new GrainState<int>())));

        Assert.Equal(expectedOverlap, inner.MostAtOnce);
        Assert.Equal(8, inner.Calls);
    }

    [Fact]
    public async Task A_write_that_fails_gives_the_turn_back()
    {
        var gate = new StorageWriteGate(serialize: true);
        var storage = new GatedGrainStorage(new OverlapCountingStorage { Fail = true }, gate);

        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteStateAsync("s", GrainId.Create("test", "g"), new GrainState<int>()));

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await using var turn = await gate.EnterAsync(cancel.Token); // would time out if the turn were still held
    }

    /// <summary>Records how many calls were inside it at the same time (each stays a while).</summary>
    private sealed class OverlapCountingStorage : IGrainStorage
    {
        private int _inside;
        private int _most;
        private int _calls;

        public bool Fail { get; init; }

        public int MostAtOnce => _most;

        public int Calls => _calls;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => StayAsync();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => StayAsync();

        private async Task StayAsync()
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _inside);
            int seen;
            while (now > (seen = _most) && Interlocked.CompareExchange(ref _most, now, seen) != seen) { }
            await Task.Delay(50);
            Interlocked.Decrement(ref _inside);
            if (Fail) throw new InvalidOperationException("storage down");
        }
    }
}
