using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Server.Auth.given;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Which requests <see cref="GrainCallsPerRequest"/> counts: one in <c>Licensing:Metrics:GrainCallsSampling</c>.
/// A request it does not count leaves the Orleans request context empty, so its grain calls carry nothing.
/// </summary>
public sealed class GrainCallsPerRequestTests
{
    [Theory]
    [InlineData(16, new[] { 16, 32 })]
    [InlineData(1, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 })]
    [InlineData(0, new int[0])]
    public void One_request_in_the_sampling_is_counted_and_recorded(int every, int[] counted)
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        var calls = new GrainCallsPerRequest(new LicensingMetrics(factory), every);
        using var recorder = new GrainCallRecorder(factory);

        var begun = new List<int>();
        for (var request = 1; request <= 32; request++)
        {
            var id = $"req_{request}";
            if (!calls.Begin(id))
            {
                Assert.Null(Orleans.Runtime.RequestContext.Get(GrainCallsPerRequest.RequestIdKey));
                continue;
            }
            Assert.Equal(id, Orleans.Runtime.RequestContext.Get(GrainCallsPerRequest.RequestIdKey));
            begun.Add(request);
            calls.End(id, "validate");
            Assert.Null(Orleans.Runtime.RequestContext.Get(GrainCallsPerRequest.RequestIdKey));
        }

        Assert.Equal(counted, begun);
        Assert.Equal(counted.Select(_ => ("validate", 0)), recorder.Counts); // no grain call was made between Begin and End
    }
}
