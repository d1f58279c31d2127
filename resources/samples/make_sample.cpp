// Writes resources/samples/sample-t2-innerear.nii.gz: a small synthetic T2-like volume (no
// patient data) with two bright labyrinth-like shapes, the bundled default study until the
// synthetic-anatomy generator replaces it. Build with -DINNEREAR_BUILD_SAMPLE_GENERATOR=ON and
// run: build/bin/innerear_make_sample resources/samples/sample-t2-innerear.nii.gz
#include "innerear/io/VolumeIO.h"

#include <cmath>
#include <cstdint>
#include <iostream>

using namespace innerear;

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::cerr << "usage: innerear_make_sample OUTPUT.nii.gz\n";
        return 2;
    }
    Geometry geometry;
    geometry.size = { 160, 112, 40 };
    geometry.spacing = { 0.45, 0.45, 0.6 };
    // a slightly rotated axial acquisition, as scanners deliver them
    const double tilt = 6.0 * M_PI / 180.0;
    geometry.direction = { { { 1, 0, 0 },
                             { 0, std::cos(tilt), -std::sin(tilt) },
                             { 0, std::sin(tilt), std::cos(tilt) } } };
    geometry.origin = { -36.0, -25.0, -12.0 };
    Image<std::int16_t> image(geometry);
    std::uint32_t state = 12345u;
    auto noise = [&]
    {
        state = state * 1664525u + 1013904223u;
        return double(state >> 8) / double(1u << 24) - 0.5;
    };
    for (std::size_t k = 0; k < geometry.size[2]; ++k)
        for (std::size_t j = 0; j < geometry.size[1]; ++j)
            for (std::size_t i = 0; i < geometry.size[0]; ++i)
            {
                const Vec3 p = geometry.indexToPhysical({ double(i), double(j), double(k) });
                double value = 180.0; // brain-like grey
                for (double side : { -1.0, 1.0 })
                {
                    const double cx = side * 30.0;
                    const double x = p[0] - cx;
                    const double y = p[1];
                    const double z = p[2];
                    // cochlea: a torus of 4 mm radius with a 1 mm lumen, vestibule: ellipsoid
                    const double ring = std::hypot(std::hypot(x + side * 4.0, y - 3.0) - 4.0, z);
                    const double vestibule =
                      std::pow(x / 2.5, 2) + std::pow(y / 1.5, 2) + std::pow(z / 1.5, 2);
                    // a semicircular canal in a vertical plane behind the vestibule
                    const double canal =
                      std::hypot(std::hypot(y + 4.0, z - 1.0) - 3.0, x - side * 1.0);
                    if (ring < 1.0 || vestibule < 1.0 || canal < 0.5)
                        value = 900.0;
                    else if (std::abs(x) < 9.0 && std::abs(y) < 9.0 && std::abs(z) < 7.0)
                        value = 40.0; // petrous bone: dark
                }
                image(i, j, k) = std::int16_t(value + 25.0 * noise());
            }
    io::writeVolume(image, argv[1]);
    std::cout << "wrote " << argv[1] << "\n";
    return 0;
}
