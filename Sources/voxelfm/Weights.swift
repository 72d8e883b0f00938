import ArgumentParser
import Foundation
import Torch

/// `voxelfm weights`: look into and convert checkpoint files (safetensors, PyTorch .pt/.pth/.ckpt).
struct Weights: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and convert weights files (safetensors, PyTorch .pt/.pth/.ckpt).",
        subcommands: [Inspect.self, Convert.self])
}

/// Options shared by the subcommands that pick a state dict out of a checkpoint.
struct StateDictSelection: ParsableArguments {
    @Option(name: .customLong("key"),
            help: "Dot-separated key path of the state dict inside a PyTorch checkpoint (e.g. state_dict, model, network_weights). Default: the checkpoint itself when it is a state dict, else the first of state_dict, model, network_weights, teacher, student.")
    var keyPath: String?

    @Option(name: .customLong("strip-prefix"), help: "Remove this prefix from tensor names that have it (e.g. module.).")
    var stripPrefix: String?

    /// The selected tensors of `path` and the file's format name.
    func load(_ path: String) throws -> (format: String, tensors: StateDict<StoredTensor>, metadata: [String: String]) {
        var loaded = try WeightsFileFormat.load(path, keyPath: keyPath.map { $0.split(separator: ".").map(String.init) })
        if let stripPrefix, !stripPrefix.isEmpty {
            loaded.tensors = loaded.tensors.strippingPrefix(stripPrefix)
        }
        return loaded
    }
}

extension Weights {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a weights file's tensors: names, shapes, dtypes and the total parameter count.")

        @Argument(help: "A .safetensors, .pt, .pth or .ckpt file.")
        var file: String

        @OptionGroup var selection: StateDictSelection

        @Flag(help: "Print JSON: {format, file, tensors: [{name, shape, dtype}], total_parameters, metadata}.")
        var json = false

        func run() throws {
            let loaded = try selection.load(file)
            let total = loaded.tensors.reduce(0) { $0 + $1.value.elementCount }
            if json {
                let tensors: [[String: Any]] = loaded.tensors.map {
                    ["name": $0.name, "shape": $0.value.shape, "dtype": $0.value.dtype.rawValue]
                }
                let object: [String: Any] = ["format": loaded.format, "file": file, "tensors": tensors,
                                             "total_parameters": total, "metadata": loaded.metadata]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let width = min(loaded.tensors.names.map(\.count).max() ?? 0, 80)
            for (name, tensor) in loaded.tensors {
                let shape = "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]"
                print(name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0) + "  "
                      + shape + "  " + tensor.dtype.rawValue)
            }
            for (key, value) in loaded.metadata.sorted(by: { $0.key < $1.key }) { print("metadata \(key): \(value)") }
            print("\(loaded.tensors.count) tensors, \(total) parameters (\(loaded.format))")
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a PyTorch checkpoint (or a safetensors file) to safetensors, tensors bit for bit.")

        @Argument(help: "The input: .pt, .pth, .ckpt or .safetensors.")
        var input: String

        @Argument(help: "The output .safetensors file (written atomically).")
        var output: String

        @OptionGroup var selection: StateDictSelection

        func validate() throws {
            guard output.hasSuffix(".safetensors") else {
                throw ValidationError("the output must end in .safetensors: \(output)")
            }
        }

        func run() throws {
            let loaded = try selection.load(input)
            guard !loaded.tensors.isEmpty else {
                throw WeightsFileError(path: input, problem: "no tensors to convert (use --key to pick the state dict)")
            }
            var metadata = loaded.metadata
            metadata["format"] = metadata["format"] ?? "pt"
            metadata["converted_from"] = URL(fileURLWithPath: input).lastPathComponent
            try Safetensors.write(loaded.tensors, to: output, metadata: metadata)
            let total = loaded.tensors.reduce(0) { $0 + $1.value.elementCount }
            print("wrote \(output): \(loaded.tensors.count) tensors, \(total) parameters")
        }
    }
}
