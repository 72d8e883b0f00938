import ArgumentParser
import Foundation
import Segmentation
import Torch
import Training

/// `voxelfm predict`: segment a case or a folder of cases with a model bundle.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment volumes with a model bundle; label maps are written in each input's own grid and header.",
        discussion: """
        -i takes a folder in nnU-Net's naming (CASE_0000.nii.gz, CASE_0001.nii.gz, ... one file per channel;
        a one-channel model also takes CASE.nii.gz) and -o a folder (CASE.nii.gz each); or -i takes one file
        per channel (comma-separated) and -o a file. Inference: the bundle's preprocessing, sliding windows
        (Gaussian or --blending constant weighting, step --step of the patch), mirroring over the bundle's axes
        unless --no-tta, logits resampled back, argmax (or the regions' thresholds), crop and reorientation undone.
        An ensemble bundle (voxelfm import --fold 0,1,2,3,4) runs every member and averages their logits.

        --save-probabilities also writes CASE.probabilities.nii.gz beside each label map: float32, x × y × z × C on
        the input's grid and header, softmax per class (background included, in label order) or sigmoid per region
        (in the bundle's region order), and CASE.probabilities.json naming the channels. The label map is the
        argmax of these probabilities (for regions, their thresholds at 0.5).
        """)

    @Option(name: [.customLong("model"), .short], help: "The model bundle folder.")
    var model: String

    @Option(name: [.short, .customLong("input")], help: "A folder of cases, or one file per channel (comma-separated).")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Output folder (folder input) or file (file input).")
    var output: String

    @Option(help: "Window step as a fraction of the patch (default: the bundle's, 0.5).")
    var step: Double?

    @Flag(help: "No mirroring test-time augmentation (8× faster, slightly less accurate).")
    var noTta = false

    @Option(help: "Window blending: gaussian (nnU-Net's, σ = patch / 8) or constant (plain average).")
    var blending = "gaussian"

    @Flag(help: "Also write CASE.probabilities.nii.gz (x × y × z × classes) and CASE.probabilities.json per case.")
    var saveProbabilities = false

    @Option(help: "Windows per forward pass.")
    var batchSize = 1

    @Option(help: "Device: cpu or cuda[:N].")
    var device = "cpu"

    @Option(help: "Network precision: fp32, or bf16 / fp16 (autocast; windows are still blended in float32). Default: bf16 on CUDA, fp32 on the CPU.")
    var precision: String?

    @Option(help: "libtorch intra-op threads (default: all cores).")
    var threads: Int?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        if let threads { try TorchRuntime.setThreads(threads) }
        if let step, !(step > 0 && step <= 1) { throw CLIError("--step \(step): expected a fraction in (0, 1]") }
        let windowBlending: WindowBlending
        switch blending.lowercased() {
        case "gaussian": windowBlending = .gaussian()
        case "constant": windowBlending = .constant
        default: throw CLIError("--blending \(blending): expected gaussian or constant")
        }
        let computeDevice = try parseDevice(device)
        // fp16 is fine here (unlike training): inference has no gradients to underflow.
        let forwardPrecision = try precision.map(parsePrecision) ?? Precision.trainingDefault(for: computeDevice)
        let predictor = try Predictor(bundle: try ModelBundle.open(model), device: computeDevice, mirroring: !noTta,
                                      stepFraction: step, batchSize: batchSize, blending: windowBlending, precision: forwardPrecision)
        var isFolder: ObjCBool = false
        let jobs: [(name: String, files: [String], output: String)]
        if FileManager.default.fileExists(atPath: input, isDirectory: &isFolder), isFolder.boolValue {
            let cases = try predictor.cases(inFolder: input)
            guard !cases.isEmpty else { throw CLIError("\(input): no NIfTI case found") }
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            jobs = cases.map { ($0.name, $0.files, (output as NSString).appendingPathComponent($0.name + ".nii.gz")) }
        } else {
            let files = input.split(separator: ",").map(String.init)
            for file in files where !FileManager.default.fileExists(atPath: file) { throw CLIError("\(file): no such file") }
            jobs = [((output as NSString).lastPathComponent, files, output)]
        }
        let start = Date()
        for (n, job) in jobs.enumerated() {
            let bar = ProgressBarLine(label: "[\(n + 1)/\(jobs.count)] \(job.name)", quiet: quiet)
            try predictor.predict(channelFiles: job.files, output: job.output, saveProbabilities: saveProbabilities, progress: bar.update)
            if !quiet {
                FileHandle.standardError.write(Data(String(format: "[%d/%d] %@ -> %@ (%.1f s)\n", n + 1, jobs.count, job.name,
                                                           job.output, Date().timeIntervalSince(start)).utf8))
            }
        }
    }
}

/// Window progress of one case on a `ProgressBar`, made once the window count is known.
final class ProgressBarLine {
    let label: String
    let quiet: Bool
    private var bar: ProgressBar?

    init(label: String, quiet: Bool) {
        self.label = label
        self.quiet = quiet
    }

    func update(_ done: Int, _ total: Int) {
        if bar == nil { bar = ProgressBar(label + " windows", total: total, quiet: quiet) }
        bar?.update(done)
    }
}
