import Data
import Foundation
import Segmentation
import Testing
import Torch
import Volumes
import VoxelFMTestSupport

/// `Predictor.predict(channelFiles:output:saveProbabilities:)`: the probability map beside the label map, on the
/// input's grid and header, and consistent with the labels; the imported fixture bundles of `ImportTests`.
@Suite struct ProbabilityOutputTests {
    /// A seeded uniform generator in [0, 1).
    struct Uniform {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
    }

    /// Channel files of one case in LPS orientation, at a spacing other than the bundle's and with a zero border on
    /// some sides, so reorientation, crop and resampling all have something to undo. Returns the file paths.
    static func writeCase(channels: Int, folder: String, size: [Int] = [30, 26, 12], seed: UInt64 = 99) throws -> [String] {
        let affine: [[Double]] = [[-0.9, 0, 0, 10], [0, -1.0, 0, 20], [0, 0, 2.5, -5], [0, 0, 0, 1]]
        let grid = VoxelGrid(size: size, affine: affine)
        var random = Uniform(state: seed)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try (0 ..< channels).map { channel in
            var values = [Float](repeating: 0, count: grid.voxelCount)
            for k in 0 ..< size[2] {
                for j in 0 ..< size[1] {
                    for i in 0 ..< size[0] where i >= 3 && j < size[1] - 2 && k >= 1 {
                        let u = random.next()
                        values[(k * size[1] + j) * size[0] + i] = channel == 0 ? 50 + 500 * u : -400 + 1200 * u
                    }
                }
            }
            let path = folder + "/case_" + NnUNetDataset.channelSuffix(channel) + ".nii.gz"
            try NiftiWriter.write(try ImageArray(values: values, grid: grid).volume(), to: path)
            return path
        }
    }

    /// The probability map as [channel][voxel] and its description.
    static func readProbabilities(beside labelPath: String) throws -> (volume: Volume, channels: [[Float]], description: ProbabilityMapDescription) {
        let files = Predictor.probabilityFiles(forLabelOutput: labelPath)
        let volume = try NiftiReader.read(path: files.map)
        let values = volume.data.scaledFloatValues()
        let n = volume.spatialShape.reduce(1, *)
        let channels = (0 ..< volume.channels).map { Array(values[($0 * n) ..< (($0 + 1) * n)]) }
        let description = try JSONDecoder().decode(ProbabilityMapDescription.self, from: Data(contentsOf: URL(fileURLWithPath: files.description)))
        return (volume, channels, description)
    }

    @Test func savedProbabilitiesAreOnTheInputGridAndTheirArgmaxIsTheLabelMap() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bundle, _) = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        let files = try Self.writeCase(channels: 2, folder: root + "/in")
        let output = root + "/out/case.nii.gz"
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        let predictor = try Predictor(bundle: bundle, mirroring: false)
        try predictor.predict(channelFiles: files, output: output, saveProbabilities: true)

        let input = try NiftiReader.read(path: files[0])
        let labels = try NiftiReader.read(path: output).labelArray().values
        let (volume, probabilities, description) = try Self.readProbabilities(beside: output)
        #expect(volume.shape == input.spatialShape + [3])
        #expect(volume.data.dataType == .float32)
        #expect(volume.affine == input.affine)
        #expect(volume.header.sformCode == input.header.sformCode && volume.header.qformCode == input.header.qformCode)
        #expect(description.activation == "softmax" && description.file == "case.probabilities.nii.gz")
        #expect(description.channels.map(\.name) == ["background", "liver", "tumor"])
        #expect(description.channels.map(\.label) == [0, 1, 2])
        #expect(description.ensembleMembers == 1)

        var mismatches = 0, worstSum = 0.0
        for voxel in labels.indices {
            var best = 0
            for c in 1 ..< 3 where probabilities[c][voxel] > probabilities[best][voxel] { best = c }
            if best != Int(labels[voxel]) { mismatches += 1 }
            worstSum = max(worstSum, abs(Double(probabilities[0][voxel] + probabilities[1][voxel] + probabilities[2][voxel]) - 1))
        }
        #expect(mismatches == 0, "\(mismatches) voxels whose label is not the argmax of the saved probabilities")
        #expect(worstSum < 1e-5)
        // Something to disagree about: more than one class predicted.
        #expect(Set(labels).count > 1)
        // Voxel (0, 0, 0) lies in the zero border, outside the crop: background for sure, as nnU-Net writes it.
        #expect(probabilities[0][0] == 1 && probabilities[1][0] == 0 && labels[0] == 0)
    }

    @Test func regionProbabilitiesThresholdToTheLabelMap() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bundle, _) = try NnUNetImport.importModel(from: ImportTests.lonePlainCheckpoint, to: root + "/bundle")
        let plan = bundle.manifest.preprocessing
        let order = try #require(plan.regionsClassOrder)
        let files = try Self.writeCase(channels: 1, folder: root + "/in", size: [24, 20, 16])
        let output = root + "/case.nii"
        try Predictor(bundle: bundle, mirroring: true).predict(channelFiles: files, output: output, saveProbabilities: true)

        let labels = try NiftiReader.read(path: output).labelArray().values
        let (volume, probabilities, description) = try Self.readProbabilities(beside: output)
        #expect(volume.shape == [24, 20, 16, order.count])
        #expect(description.activation == "sigmoid" && description.threshold == 0.5)
        #expect(description.channels.map(\.label) == order)
        #expect(description.channels.map(\.name) == plan.labels.filter { $0.values != [0] }.map(\.name))
        var mismatches = 0
        for voxel in labels.indices {
            var label = 0
            for (channel, value) in order.enumerated() where probabilities[channel][voxel] > 0.5 { label = value }
            if label != Int(labels[voxel]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // Outside the crop every region is absent (nnU-Net's revert_cropping_on_probabilities for regions).
        #expect(probabilities.allSatisfy { $0[0] == 0 })
    }

    /// On the bundle's own grid (RAS, target spacing, one patch, nonzero everywhere) the saved probabilities must be
    /// the softmax of the network's output: an independent check of the values, not only of their consistency.
    @Test func probabilitiesOnTheBundleGridAreTheSoftmaxOfTheNetwork() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bundle, prepared) = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        let grid = VoxelGrid(size: [24, 32, 16], spacing: [0.7, 0.8, 3.0])
        var random = Uniform(state: 7)
        let t2 = (0 ..< grid.voxelCount).map { _ in 50 + 500 * random.next() }
        // No CT clipping (values inside the percentiles) keeps the normalisation a plain affine map.
        let ct = (0 ..< grid.voxelCount).map { _ in -100 + 500 * random.next() }
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        let files = [root + "/in/c_0000.nii.gz", root + "/in/c_0001.nii.gz"]
        try NiftiWriter.write(try ImageArray(values: t2, grid: grid).volume(), to: files[0])
        try NiftiWriter.write(try ImageArray(values: ct, grid: grid).volume(), to: files[1])
        let output = root + "/c.nii.gz"
        try Predictor(bundle: bundle, mirroring: false).predict(channelFiles: files, output: output, saveProbabilities: true)

        let mean = t2.map(Double.init).reduce(0, +) / Double(t2.count)
        let std = (t2.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(t2.count)).squareRoot()
        let normalised = try ImageArray(values: t2.map { Float((Double($0) - mean) / std) } + ct.map { Float((Double($0) - 80.5) / 60.125) },
                                        channels: 2, grid: grid).tensor().unsqueeze(0)
        let expected = try withInferenceMode { try softmax(prepared.network(normalised)[0].squeeze(dim: 0), dim: 0) }
        let (volume, probabilities, _) = try Self.readProbabilities(beside: output)
        #expect(volume.shape == [24, 32, 16, 3])
        // [C, k, j, i] as the NIfTI stores it.
        let saved = try Tensor(probabilities.flatMap { $0 }, shape: [3] + grid.tensorShape)
        try expectClose(saved, expected, atol: 2e-4, rtol: 0, "probabilities")
    }

    /// `restore` with probabilities gives the labels of the labels-only `restore`, and leaves the caller's logits alone.
    @Test func restoreWithProbabilitiesKeepsTheLabelsAndTheLogits() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (bundle, _) = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        let files = try Self.writeCase(channels: 2, folder: root + "/in")
        let predictor = try Predictor(bundle: bundle, mirroring: false)
        let image = try NnUNetCase(name: "case", split: .test, imageFiles: files, labelFile: nil).readImage()
        let (logits, properties) = try predictor.logits(image: image, name: "case")
        let before = try logits.toArray(Float.self)
        let labels = try predictor.preprocessor.restore(logits: logits, properties: properties)
        var channels: [Int] = []
        let withProbabilities = try predictor.preprocessor.restore(logits: logits, properties: properties) { channel, values in
            #expect(values.grid == labels.grid)
            channels.append(channel)
        }
        #expect(differingVoxels(withProbabilities, labels) == 0)
        #expect(channels == [0, 1, 2])
        #expect(try logits.toArray(Float.self) == before)

        // On the cropped grid already (no resampling): the probabilities must not overwrite the caller's tensor.
        let cropped = try interpolate(logits.unsqueeze(0), size: properties.crop.croppedGrid.tensorShape, mode: .trilinear,
                                      alignCorners: false).squeeze(dim: 0)
        let croppedBefore = try cropped.toArray(Float.self)
        _ = try predictor.preprocessor.restore(logits: cropped, properties: properties) { _, _ in }
        #expect(try cropped.toArray(Float.self) == croppedBefore)
    }

    @Test func probabilityFilesSitBesideTheLabelMap() {
        #expect(Predictor.probabilityFiles(forLabelOutput: "/o/case_7.nii.gz") == ("/o/case_7.probabilities.nii.gz", "/o/case_7.probabilities.json"))
        #expect(Predictor.probabilityFiles(forLabelOutput: "x.NII") == ("x.probabilities.nii.gz", "x.probabilities.json"))
    }
}
