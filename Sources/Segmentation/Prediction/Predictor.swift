import Data
import Foundation
import Networks
import Torch
import Training

/// Segments volumes with a model bundle: the bundle's preprocessing, sliding-window inference with Gaussian (or
/// constant) blending and mirroring, then the logits brought back to the input's own grid
/// (`CasePreprocessor.restore`), so the written label map has the input's shape, affine and header geometry.
///
/// An ensemble bundle (nnU-Net's folds) runs every member over the whole case and averages the logits before
/// softmax / argmax, as nnU-Net v2's `predict_logits_from_preprocessed_data` (`prediction += …` per member, then
/// `prediction /= len(list_of_parameters)`). One network is kept and each member's weights are loaded into it in
/// turn, so an ensemble costs the memory of one network and one extra logits buffer, not of five networks.
public final class Predictor {
    public let bundle: ModelBundle
    /// The network; with several members it holds the weights of the member run last.
    public let network: any UNet
    public let preprocessor: CasePreprocessor
    public let inferer: SlidingWindowInferer
    public let device: Device
    /// The network's forward precision (autocast for bf16 / fp16); logits are blended and summed in float32.
    public let precision: Precision

    /// - Parameters:
    ///   - mirroring: test-time augmentation over the bundle's mirror axes (nnU-Net's default).
    ///   - stepFraction: window step as a fraction of the patch (nil: the bundle's).
    ///   - batchSize: windows per forward pass.
    ///   - blending: how overlapping windows are weighted (nnU-Net's Gaussian, σ = patch / 8, by default).
    ///   - precision: the network forward's precision (nnU-Net predicts under autocast on CUDA).
    public init(bundle: ModelBundle, device: Device = .cpu, mirroring: Bool = true, stepFraction: Double? = nil,
                batchSize: Int = 1, blending: WindowBlending = .gaussian(), precision: Precision = .fp32) throws {
        self.bundle = bundle
        self.device = device
        self.precision = precision
        var manifest = bundle.manifest
        // Inference needs only the full-resolution output; the weights are the same either way.
        manifest.network.deepSupervision = false
        let withoutDeepSupervision = ModelBundle(directory: bundle.directory, manifest: manifest)
        let members = bundle.members.count
        // Every member is loaded once here so that weights that do not fit fail before any case is read; the last
        // stays loaded.
        let network = try withoutDeepSupervision.loadNetwork(device: device, member: 0)
        for member in 1 ..< max(members, 1) { try withoutDeepSupervision.load(member: member, into: network) }
        self.network = network
        self.preprocessor = CasePreprocessor(plan: manifest.preprocessing)
        let settings = manifest.inference
        // Sums stay float32: half-precision sums (nnU-Net's) lose the low Gaussian weights at window borders and
        // changed ~4% of the labels in ImportPredictionTests.
        self.inferer = SlidingWindowInferer(patchSize: settings.patchSize, stepFraction: stepFraction ?? settings.stepFraction,
                                            blending: blending, batchSize: batchSize, mirrorAxes: mirroring ? settings.mirrorAxes : [],
                                            expectedInputChannels: manifest.network.inputChannels, computeDevice: device)
    }

    /// The logits of one case on the preprocessed grid ([outputs, k, j, i], float32, CPU), averaged over the bundle's
    /// members, and what preprocessing did (to restore them with `preprocessor.restore`).
    /// - Parameter progress: (windows done, windows in total) over all members.
    public func logits(image: consuming ImageArray, name: String,
                       progress: ((Int, Int) -> Void)? = nil) throws -> (logits: Tensor, properties: CaseProperties) {
        let channels = bundle.manifest.preprocessing.channelNames
        guard image.channels == channels.count else {
            throw BundleError(path: name, problem: "has \(image.channels) channel(s); the model expects \(channels.count) (\(channels.joined(separator: ", ")))")
        }
        var prepared = try preprocessor.preprocess(name: name, image: consume image, label: nil)
        let input = try prepared.image.tensor()
        // The tensor is the only copy needed from here on (large CTs: keep the peak memory down).
        prepared.image.values = []
        let members = bundle.members.count
        let logits = try withInferenceMode { () throws -> Tensor in
            var sum: Tensor?
            for member in 0 ..< members {
                if members > 1 { try bundle.load(member: member, into: network) }
                let prediction = try inferer.predict(input, multiOutputNetwork: { window in
                    try self.precision.forward(on: self.device) { try self.network(window) }
                }, progress: progress.map { report in
                    { done, total in report(member * total + done, members * total) }
                }).to(device: .cpu)
                // One running sum: the member's logits are added and dropped before the next member runs.
                if let sum { try sum.add_(prediction) } else { sum = prediction }
            }
            guard let sum else { throw BundleError(path: bundle.directory, problem: "has no member to predict with") }
            if members > 1 { try sum.div_(Double(members)) }
            return sum
        }
        return (logits, prepared.properties)
    }

    /// The label map of one case (channels stacked in the bundle's channel order) on the image's own grid.
    public func predict(image: consuming ImageArray, name: String, progress: ((Int, Int) -> Void)? = nil) throws -> LabelArray {
        let (logits, properties) = try logits(image: image, name: name, progress: progress)
        return try withInferenceMode { try preprocessor.restore(logits: logits, properties: properties) }
    }

    /// Segments the case whose channel files are `channelFiles` and writes the label map to `output` with the
    /// first channel's grid and header geometry (atomically: a failed case leaves no file).
    /// - Parameter saveProbabilities: also write the probabilities beside it, `NAME.probabilities.nii.gz` (float32,
    ///   x × y × z × outputs, the same grid and geometry; softmax per class or sigmoid per region) and
    ///   `NAME.probabilities.json` naming the channels. They are restored and written a channel at a time.
    public func predict(channelFiles: [String], output: String, saveProbabilities: Bool = false,
                        progress: ((Int, Int) -> Void)? = nil) throws {
        let item = NnUNetCase(name: (output as NSString).lastPathComponent, split: .test, imageFiles: channelFiles, labelFile: nil)
        let (logits, properties) = try logits(image: try item.readImage(), name: item.name, progress: progress)
        var probabilities: ProbabilityMapWriter?
        let labels: LabelArray
        if saveProbabilities {
            let description = ProbabilityMapDescription(file: "", plan: preprocessor.plan, outputs: logits.size(0),
                                                        ensembleMembers: bundle.members.count)
            let writer = try ProbabilityMapWriter(labelPath: output, reference: try NiftiReader.readHeader(path: channelFiles[0]),
                                                  description: description)
            probabilities = writer
            labels = try withInferenceMode {
                try preprocessor.restore(logits: logits, properties: properties, mayOverwriteLogits: true) { channel, values in
                    try writer.append(channel: channel, values)
                }
            }
        } else {
            labels = try withInferenceMode { try preprocessor.restore(logits: logits, properties: properties) }
        }
        // Read after predicting: the reference's voxels are not needed while the logits exist.
        let reference = try NiftiReader.read(path: channelFiles[0])
        try NiftiWriter.write(try labels.volume(like: reference), to: output)
        if let probabilities {
            do { try probabilities.commit() } catch {
                // The case is all or nothing: no label map without the probabilities asked for.
                try? FileManager.default.removeItem(atPath: output)
                throw error
            }
        }
    }

    /// The probability files written beside the label map `output` by `predict(channelFiles:output:saveProbabilities:)`.
    public static func probabilityFiles(forLabelOutput output: String) -> (map: String, description: String) {
        ProbabilityMapWriter.paths(forLabelOutput: output)
    }

    /// The cases of a folder in nnU-Net's naming (`CASE_0000.nii.gz` … one file per channel; a one-channel model
    /// also takes plain `CASE.nii.gz`), each as its channel files in order.
    public func cases(inFolder folder: String) throws -> [(name: String, files: [String])] {
        let channelCount = bundle.manifest.preprocessing.channelNames.count
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".nii.gz") || $0.hasSuffix(".nii") }.sorted()
        var grouped: [String: [Int: String]] = [:]
        for file in names {
            let stem = file.hasSuffix(".nii.gz") ? String(file.dropLast(7)) : String(file.dropLast(4))
            let path = (folder as NSString).appendingPathComponent(file)
            if stem.count > 5, stem.dropLast(4).hasSuffix("_"), let channel = Int(stem.suffix(4)) {
                grouped[String(stem.dropLast(5)), default: [:]][channel] = path
            } else if channelCount == 1 {
                grouped[stem, default: [:]][0] = path
            }
        }
        return try grouped.keys.sorted().map { name in
            let files = grouped[name] ?? [:]
            let ordered = (0..<channelCount).compactMap { files[$0] }
            guard ordered.count == channelCount else {
                let missing = (0..<channelCount).filter { files[$0] == nil }.map { NnUNetDataset.channelSuffix($0) }
                throw BundleError(path: (folder as NSString).appendingPathComponent(name), problem: "case \(name) lacks channel file(s) \(missing.joined(separator: ", "))")
            }
            return (name, ordered)
        }
    }
}
